package io.miragej.tcpip.tcp;

import static io.miragej.tcpip.tcp.TcpHeader.ACK;
import static io.miragej.tcpip.tcp.TcpHeader.RST;
import static io.miragej.tcpip.tcp.TcpHeader.SYN;

import io.miragej.buffer.PacketBuffer;
import io.miragej.stats.Counter;
import io.miragej.stats.Counters;
import io.miragej.tcpip.checksum.InternetChecksum;
import io.miragej.tcpip.core.EphemeralPorts;
import io.miragej.tcpip.core.IcmpErrorListener;
import io.miragej.tcpip.core.IpContext;
import io.miragej.tcpip.core.IpOutput;
import io.miragej.tcpip.ipv4.Ipv4;
import java.util.ArrayDeque;

/**
 * The TCP layer of a host, sans-IO: segments and the time in; segments, accepted connections,
 * changes for applications and the next deadline out. It demultiplexes segments to {@link
 * TcpConnection}s, listens on ports with a bounded SYN backlog, answers segments for closed
 * ports with RST (RFC 9293 3.10.7.1), chooses initial sequence numbers by RFC 6528 (a 4 µs clock
 * plus SipHash of the connection's addresses and ports under a secret key), keeps at most {@link
 * TcpConfig#maxConnections} connections and {@link TcpConfig#maxTimeWait} of them in TIME-WAIT,
 * and reuses a TIME-WAIT connection for a new SYN that is clearly newer (RFC 6191).
 *
 * <p>Counters: {@code tcp.rx.segments}, {@code tcp.tx.segments}, {@code tcp.tx.retransmits},
 * {@code tcp.tx.resets}, {@code tcp.rx.resets}, {@code tcp.rto}, {@code tcp.fast-retransmits},
 * {@code tcp.dup-acks}, {@code tcp.tlp.probes}, {@code tcp.tlp.repairs} (probes that repaired a loss),
 * {@code tcp.rack.losses} (ACKs on which RACK found losses), {@code tcp.rack.reorder-timeouts},
 * {@code tcp.hystart.exits} (slow starts HyStart++ ended before a loss), {@code tcp.undo} (recoveries
 * undone: every retransmission came back D-SACKed), {@code tcp.rx.checksum-offloaded} (segments whose
 * checksum the device verified or the host left partial), {@code tcp.rx.coalesced} (segments the device
 * coalesced from several),
 * {@code tcp.out-of-order}, {@code tcp.window-probes}, {@code
 * tcp.keepalive-probes}, {@code tcp.challenge-acks}, {@code tcp.connections.active}, {@code
 * .passive}, {@code .established}, {@code .timed-out}, {@code tcp.syn.backlog-evicted}, {@code
 * tcp.time-wait.evicted}, {@code tcp.pmtu.reductions}; drops {@code tcp.drop.short}, {@code
 * .bad-header}, {@code .checksum}, {@code .group}, {@code .closed-port}, {@code .out-of-window},
 * {@code .paws}, {@code .duplicate}, {@code .beyond-window}, {@code .out-of-order-full}, {@code
 * .table-full}, {@code .no-buffer}, {@code .icmp-ignored}.
 */
public final class Tcp implements Ipv4.Transport, IcmpErrorListener {
    public static final int PROTOCOL = 6;

    /** Takes connections that completed their handshake on a listening port. */
    @FunctionalInterface
    public interface AcceptHandler {
        void accepted(TcpConnection connection);
    }

    static final class Listening {
        final int port;
        final AcceptHandler handler;
        final ArrayDeque<TcpConnection> halfOpen;

        Listening(int port, AcceptHandler handler, int backlog) {
            this.port = port;
            this.handler = handler;
            this.halfOpen = new ArrayDeque<>(backlog);
        }
    }

    private final IpOutput out;
    private final TcpConfig config;
    private final Listening[] listeners = new Listening[65_536];
    private final int[] portUse = new int[65_536];
    private final ConnectionTable table;
    private final TcpHeader segment = new TcpHeader();
    private final SipHash isnKey;
    private final SipHash tsKey;
    private final EphemeralPorts ephemeral;
    private final ArrayDeque<TcpConnection> timeWait;
    private TcpConnection[] heap = new TcpConnection[64];
    private int heapSize;
    private double challengeTokens = CHALLENGE_ACKS_PER_SECOND;
    private long challengeRefill;
    private long now;
    private boolean deferAcks;
    private Runnable ackScheduler;
    private final ArrayDeque<TcpConnection> ackQueue = new ArrayDeque<>();
    static final int CHALLENGE_ACKS_PER_SECOND = 1000; // RFC 5961 section 7, Linux's default

    final Counter rxSegments;
    final Counter txSegments;
    /** Large segments handed to a device with segmentation offload (each counted in txSegments by its MSS-sized parts). */
    final Counter txOffloaded;
    /** Large segments not built for want of a large buffer: sent MSS-sized instead. */
    final Counter txOffloadNoBuffer;
    final Counter retransmittedSegments;
    final Counter txResets;
    final Counter rxResets;
    final Counter rtoExpired;
    final Counter fastRetransmits;
    final Counter tlpProbes;
    final Counter tlpRepairs;
    final Counter rackLosses;
    final Counter rackTimeouts;
    final Counter hyStartExits;
    final Counter undos;
    final Counter duplicateAcks;
    final Counter outOfOrderSegments;
    final Counter windowProbes;
    final Counter keepAliveProbes;
    final Counter challengeAcks;
    final Counter pmtuReductions;
    final Counter timeouts;
    private final Counter activeOpens;
    private final Counter passiveOpens;
    private final Counter establishedCount;
    private final Counter backlogEvicted;
    private final Counter timeWaitEvicted;
    private final Counter dropShort;
    private final Counter dropBadHeader;
    private final Counter dropChecksum;
    private final Counter rxChecksumOffloaded;
    private final Counter rxCoalesced;
    private final Counter dropGroup;
    private final Counter dropClosedPort;
    final Counter dropOutOfWindow;
    final Counter dropPaws;
    final Counter duplicateSegments;
    final Counter dropBeyondWindow;
    final Counter dropOutOfOrderFull;
    private final Counter dropTableFull;
    final Counter txNoBuffer;
    final Counter icmpIgnored;

    public Tcp(IpOutput out, TcpConfig config, Counters counters, long secret0, long secret1) {
        this.out = out;
        this.config = config;
        this.table = new ConnectionTable(config.maxConnections());
        this.isnKey = new SipHash(secret0, secret1);
        this.tsKey = new SipHash(secret1 ^ 0x5851F42D4C957F2DL, secret0 ^ 0x14057B7EF767814FL);
        this.ephemeral = new EphemeralPorts(secret0 ^ secret1);
        this.timeWait = new ArrayDeque<>(Math.min(config.maxTimeWait() + 1, 1 << 16));
        rxSegments = counters.counter("tcp.rx.segments");
        txSegments = counters.counter("tcp.tx.segments");
        txOffloaded = counters.counter("tcp.tx.offloaded");
        txOffloadNoBuffer = counters.counter("tcp.tx.offload-no-buffer");
        retransmittedSegments = counters.counter("tcp.tx.retransmits");
        txResets = counters.counter("tcp.tx.resets");
        rxResets = counters.counter("tcp.rx.resets");
        rtoExpired = counters.counter("tcp.rto");
        fastRetransmits = counters.counter("tcp.fast-retransmits");
        tlpProbes = counters.counter("tcp.tlp.probes");
        tlpRepairs = counters.counter("tcp.tlp.repairs");
        rackLosses = counters.counter("tcp.rack.losses");
        rackTimeouts = counters.counter("tcp.rack.reorder-timeouts");
        hyStartExits = counters.counter("tcp.hystart.exits");
        undos = counters.counter("tcp.undo");
        duplicateAcks = counters.counter("tcp.dup-acks");
        outOfOrderSegments = counters.counter("tcp.out-of-order");
        windowProbes = counters.counter("tcp.window-probes");
        keepAliveProbes = counters.counter("tcp.keepalive-probes");
        challengeAcks = counters.counter("tcp.challenge-acks");
        pmtuReductions = counters.counter("tcp.pmtu.reductions");
        timeouts = counters.counter("tcp.connections.timed-out");
        activeOpens = counters.counter("tcp.connections.active");
        passiveOpens = counters.counter("tcp.connections.passive");
        establishedCount = counters.counter("tcp.connections.established");
        backlogEvicted = counters.counter("tcp.syn.backlog-evicted");
        timeWaitEvicted = counters.counter("tcp.time-wait.evicted");
        dropShort = counters.counter("tcp.drop.short");
        dropBadHeader = counters.counter("tcp.drop.bad-header");
        dropChecksum = counters.counter("tcp.drop.checksum");
        rxChecksumOffloaded = counters.counter("tcp.rx.checksum-offloaded");
        rxCoalesced = counters.counter("tcp.rx.coalesced");
        dropGroup = counters.counter("tcp.drop.group");
        dropClosedPort = counters.counter("tcp.drop.closed-port");
        dropOutOfWindow = counters.counter("tcp.drop.out-of-window");
        dropPaws = counters.counter("tcp.drop.paws");
        duplicateSegments = counters.counter("tcp.drop.duplicate");
        dropBeyondWindow = counters.counter("tcp.drop.beyond-window");
        dropOutOfOrderFull = counters.counter("tcp.drop.out-of-order-full");
        dropTableFull = counters.counter("tcp.drop.table-full");
        txNoBuffer = counters.counter("tcp.drop.no-buffer");
        icmpIgnored = counters.counter("tcp.drop.icmp-ignored");
    }

    public TcpConfig config() {
        return config;
    }

    /**
     * Batches acknowledgments: instead of an ACK for every second segment, connections owe one
     * and {@code scheduler} is run (once per batch) so the caller calls {@link #flushAcks} when
     * the frames that arrived together have all been processed, as Linux does with GRO.
     */
    public void deferAcks(Runnable scheduler) {
        this.deferAcks = scheduler != null;
        this.ackScheduler = scheduler;
    }

    boolean acksDeferred() {
        return deferAcks;
    }

    void ackLater(TcpConnection c) {
        if (!c.ackQueued) {
            c.ackQueued = true;
            if (ackQueue.isEmpty()) {
                ackScheduler.run();
            }
            ackQueue.add(c);
        }
    }

    /** Sends the acknowledgments deferred since the last call. */
    public void flushAcks(long now) {
        this.now = now;
        TcpConnection c;
        while ((c = ackQueue.poll()) != null) {
            if (c.takeDeferredAck()) {
                afterEvent(c, now);
            }
        }
    }

    /** Connections in the table, TIME-WAIT included. */
    public int connections() {
        return table.size();
    }

    public int timeWaitConnections() {
        return timeWait.size();
    }

    /** Half-open connections waiting on {@code port}'s backlog. */
    public int halfOpen(int port) {
        Listening l = listeners[port];
        return l == null ? 0 : l.halfOpen.size();
    }

    // =====================================================================================
    // Opening
    // =====================================================================================

    /** Listens on {@code port} (every local address); false when the port is taken. */
    public boolean listen(int port, AcceptHandler handler) {
        if (port <= 0 || port > 65_535 || listeners[port] != null) {
            return false;
        }
        listeners[port] = new Listening(port, handler, config.synBacklog());
        return true;
    }

    /** Picks a free port and listens on it; -1 when none is left. */
    public int listenEphemeral(AcceptHandler handler) {
        int port = ephemeral.pick(p -> listeners[p] == null && portUse[p] == 0);
        if (port > 0) {
            listen(port, handler);
        }
        return port;
    }

    /** Stops listening; half-open connections on the port are dropped, accepted ones go on. */
    public void unlisten(int port) {
        Listening l = listeners[port];
        if (l == null) {
            return;
        }
        listeners[port] = null;
        for (TcpConnection c : l.halfOpen.toArray(new TcpConnection[0])) {
            c.abort(now);
        }
    }

    public boolean isListening(int port) {
        return listeners[port] != null;
    }

    /**
     * Opens a connection to the remote endpoint from an ephemeral port. The connection is
     * returned at once in SYN-SENT; watch it with an {@link TcpConnection.Observer}. When it
     * cannot even start, it is returned CLOSED with its {@link TcpConnection#failure()}:
     * UNREACHABLE (no route or no source address) or NO_RESOURCES (no port, full table).
     */
    public TcpConnection connect(long remoteHigh, long remoteLow, int remotePort, long now) {
        this.now = now;
        long[] src = new long[2];
        boolean routable = out.hasRoute(remoteHigh, remoteLow) && out.sourceFor(remoteHigh, remoteLow, src);
        int port = routable ? ephemeral.pick(p -> listeners[p] == null && portUse[p] == 0) : -1;
        TcpConnection c = newConnection(src[0], src[1], Math.max(port, 0), remoteHigh, remoteLow, remotePort, null,
                now);
        if (!routable) {
            c.failOpen(TcpConnection.Failure.UNREACHABLE);
            return c;
        }
        if (port < 0 || !makeRoom(now)) {
            c.failOpen(TcpConnection.Failure.NO_RESOURCES);
            return c;
        }
        add(c);
        activeOpens.increment();
        c.openActive(now);
        afterEvent(c, now);
        return c;
    }

    private TcpConnection newConnection(long localHigh, long localLow, int localPort, long remoteHigh, long remoteLow,
            int remotePort, Listening listening, long now) {
        long ports = ((long) localPort << 16) | remotePort;
        int isn = (int) (now / 4000) + (int) isnKey.hash(localHigh, localLow, remoteHigh, remoteLow, ports);
        int tsOffset = (int) tsKey.hash(localHigh, localLow, remoteHigh, remoteLow, ports);
        return new TcpConnection(this, config, localHigh, localLow, localPort, remoteHigh, remoteLow, remotePort,
                listening, isn, tsOffset);
    }

    /** Frees a slot when the table is full by giving up the oldest TIME-WAIT connection. */
    private boolean makeRoom(long now) {
        if (table.size() < config.maxConnections()) {
            return true;
        }
        TcpConnection oldest = timeWait.peekFirst();
        if (oldest == null) {
            dropTableFull.increment();
            return false;
        }
        timeWaitEvicted.increment();
        oldest.failOpen(TcpConnection.Failure.NONE);
        afterEvent(oldest, now);
        return true;
    }

    private void add(TcpConnection c) {
        table.put(c);
        portUse[c.localPort]++;
    }

    // =====================================================================================
    // Receiving
    // =====================================================================================

    @Override
    public void receive(IpContext c, PacketBuffer buf, int offset, int length, long now) {
        this.now = now;
        rxSegments.increment();
        if (length < TcpHeader.MIN_HEADER) {
            dropShort.increment();
            return;
        }
        if (c.checksumVerified) {
            rxChecksumOffloaded.increment();
        } else if (!InternetChecksum.verifies(
                c.pseudoAddressSum + PROTOCOL + length + InternetChecksum.sum(buf, offset, length))) {
            dropChecksum.increment();
            return;
        }
        TcpHeader seg = segment;
        if (!seg.parse(buf, offset, length)) {
            dropBadHeader.increment();
            return;
        }
        if (c.segmentSize > 0 && seg.payloadLength() > c.segmentSize) {
            seg.segmentSize = c.segmentSize;
            rxCoalesced.increment();
        }
        if (c.toGroup) {
            dropGroup.increment(); // TCP is unicast only (RFC 1122 4.2.3.10)
            return;
        }
        int localPort = seg.destinationPort();
        int remotePort = seg.sourcePort();
        TcpConnection conn = table.find(c.destinationHigh, c.destinationLow, localPort, c.sourceHigh, c.sourceLow,
                remotePort);
        int flags = seg.flags();
        if (conn != null && conn.state == TcpConnection.State.TIME_WAIT && (flags & (SYN | ACK | RST)) == SYN
                && listeners[localPort] != null && newerThanTimeWait(conn, seg)) {
            conn.failOpen(TcpConnection.Failure.NONE); // RFC 6191: a new incarnation ends TIME-WAIT
            afterEvent(conn, now);
            conn = null;
        }
        if (conn != null) {
            conn.input(seg, now);
            afterEvent(conn, now);
            return;
        }
        Listening l = listeners[localPort];
        if (l == null || (flags & (SYN | ACK | RST)) != SYN) {
            if (l == null) {
                dropClosedPort.increment();
            }
            if ((flags & RST) == 0 && (l == null || (flags & ACK) != 0)) {
                // RFC 9293 3.10.7.1 and LISTEN: reset whatever is not a SYN for a listener.
                if ((flags & ACK) != 0) {
                    sendReset(c.destinationHigh, c.destinationLow, localPort, c.sourceHigh, c.sourceLow, remotePort,
                            seg.ack(), 0, RST, now);
                } else {
                    sendReset(c.destinationHigh, c.destinationLow, localPort, c.sourceHigh, c.sourceLow, remotePort,
                            0, seg.seq() + seg.sequenceLength(), RST | ACK, now);
                }
            }
            return;
        }
        // A SYN for a listener.
        if (l.halfOpen.size() >= config.synBacklog()) {
            TcpConnection oldest = l.halfOpen.peekFirst();
            backlogEvicted.increment();
            oldest.failOpen(TcpConnection.Failure.NONE);
            afterEvent(oldest, now);
        }
        if (!makeRoom(now)) {
            return;
        }
        TcpConnection n = newConnection(c.destinationHigh, c.destinationLow, localPort, c.sourceHigh, c.sourceLow,
                remotePort, l, now);
        n.since = now;
        add(n);
        l.halfOpen.addLast(n);
        passiveOpens.increment();
        n.openPassive(seg, now);
        afterEvent(n, now);
    }

    private static boolean newerThanTimeWait(TcpConnection tw, TcpHeader syn) {
        return syn.hasTimestamp ? Seq.gt(syn.tsVal, tw.tsRecentForReuse()) : Seq.gt(syn.seq(), tw.rcvNxt);
    }

    @Override
    public void icmpError(long localHigh, long localLow, int localPort, long remoteHigh, long remoteLow, int remotePort,
            int quotedWord, int kind, int mtu, long now) {
        this.now = now;
        TcpConnection c = table.find(localHigh, localLow, localPort, remoteHigh, remoteLow, remotePort);
        if (c == null) {
            icmpIgnored.increment();
            return;
        }
        c.icmpError(quotedWord, kind, mtu, now);
    }

    // =====================================================================================
    // Called by connections
    // =====================================================================================

    /** After anything happened to {@code c}: send what is due, reschedule, tell the application. */
    void afterEvent(TcpConnection c, long now) {
        this.now = now;
        c.output(now);
        c.updateDeadline();
        if (c.state == TcpConnection.State.CLOSED) {
            remove(c);
        } else {
            schedule(c);
        }
        c.notifyObserver();
    }

    void established(TcpConnection c) {
        establishedCount.increment();
        if (c.listening != null) {
            c.listening.halfOpen.remove(c);
            if (listeners[c.listening.port] == c.listening) {
                c.listening.handler.accepted(c);
            } else {
                c.abort(now); // the listener closed meanwhile
            }
        }
    }

    void stateChanged(TcpConnection c, TcpConnection.State before, TcpConnection.State after) {
        if (before == TcpConnection.State.SYN_RECEIVED && c.listening != null) {
            c.listening.halfOpen.remove(c);
        }
        if (before == TcpConnection.State.TIME_WAIT) {
            timeWait.remove(c);
        }
    }

    void enteredTimeWait(TcpConnection c) {
        if (timeWait.size() >= config.maxTimeWait()) {
            timeWaitEvicted.increment();
            TcpConnection oldest = timeWait.pollFirst();
            if (oldest != null) {
                oldest.failOpen(TcpConnection.Failure.NONE);
                afterEvent(oldest, now);
            }
            if (config.maxTimeWait() == 0) {
                c.failOpen(TcpConnection.Failure.NONE);
                return;
            }
        }
        timeWait.addLast(c);
    }

    private void remove(TcpConnection c) {
        if (c.tableIndex >= 0) {
            table.remove(c);
            portUse[c.localPort]--;
        }
        if (c.heapIndex >= 0) {
            heapRemove(c);
        }
    }

    boolean takeChallengeAck() {
        if (now > challengeRefill) {
            challengeTokens = Math.min(CHALLENGE_ACKS_PER_SECOND,
                    challengeTokens + (now - challengeRefill) * (CHALLENGE_ACKS_PER_SECOND / 1e9));
            challengeRefill = now;
        }
        if (challengeTokens < 1) {
            return false;
        }
        challengeTokens--;
        return true;
    }

    /** Largest segment payload we accept, for our MSS option. */
    int maxSegment(long remoteHigh, long remoteLow) {
        return out.maxPayload(remoteHigh, remoteLow) - TcpHeader.MIN_HEADER;
    }

    PacketBuffer allocate(int length) {
        return out.allocate(length);
    }

    /** Largest segment (header included) the device takes to cut itself, to this peer; 0 for none. */
    int maxSegmentedPayload(long remoteHigh, long remoteLow) {
        return out.maxSegmentedPayload(remoteHigh, remoteLow);
    }

    PacketBuffer allocateSegmented(int length) {
        return out.allocateSegmented(length);
    }

    void sendSegmented(TcpConnection c, PacketBuffer segment, int segmentSize, long now) {
        out.sendSegmented(segment, c.localHigh, c.localLow, c.remoteHigh, c.remoteLow, segmentSize, now);
    }

    void send(TcpConnection c, PacketBuffer segment, long now) {
        out.send(segment, PROTOCOL, c.localHigh, c.localLow, c.remoteHigh, c.remoteLow, true, now);
    }

    /** A reset (or RST-ACK) without a connection. */
    void sendReset(long localHigh, long localLow, int localPort, long remoteHigh, long remoteLow, int remotePort,
            int seq, int ack, int flags, long now) {
        PacketBuffer b = out.allocate(TcpHeader.MIN_HEADER);
        if (b == null) {
            txNoBuffer.increment();
            return;
        }
        b.extend(TcpHeader.MIN_HEADER);
        TcpHeader.writeFixed(b, localPort, remotePort, seq, ack, TcpHeader.MIN_HEADER, flags, 0);
        long sum = IpOutput.pseudoAddressSum(localHigh, localLow, remoteHigh, remoteLow) + PROTOCOL
                + TcpHeader.MIN_HEADER + InternetChecksum.sum(b, 0, TcpHeader.MIN_HEADER);
        b.setU16(16, InternetChecksum.finish(sum));
        txResets.increment();
        txSegments.increment();
        out.send(b, PROTOCOL, localHigh, localLow, remoteHigh, remoteLow, true, now);
    }

    // =====================================================================================
    // Time: a binary heap of connections by deadline
    // =====================================================================================

    /** The earliest deadline of any connection, or {@link Long#MAX_VALUE}. */
    public long nextDeadline() {
        return heapSize == 0 ? Long.MAX_VALUE : heap[0].deadline;
    }

    /** Runs every connection timer due at {@code now}. */
    public void onTimer(long now) {
        this.now = now;
        while (heapSize > 0 && heap[0].deadline <= now) {
            TcpConnection c = heap[0];
            c.onTimer(now);
            afterEvent(c, now);
            if (heapSize > 0 && heap[0] == c && c.deadline <= now) {
                c.deadline = now + 1; // a timer that did not move: never spin
                siftDown(0);
            }
        }
    }

    private void schedule(TcpConnection c) {
        if (c.deadline == Long.MAX_VALUE) {
            if (c.heapIndex >= 0) {
                heapRemove(c);
            }
            return;
        }
        if (c.heapIndex < 0) {
            if (heapSize == heap.length) {
                heap = java.util.Arrays.copyOf(heap, heapSize * 2);
            }
            heap[heapSize] = c;
            c.heapIndex = heapSize++;
            siftUp(c.heapIndex);
        } else {
            siftUp(c.heapIndex);
            siftDown(c.heapIndex);
        }
    }

    private void heapRemove(TcpConnection c) {
        int i = c.heapIndex;
        TcpConnection last = heap[--heapSize];
        heap[heapSize] = null;
        c.heapIndex = -1;
        if (i < heapSize) {
            heap[i] = last;
            last.heapIndex = i;
            siftUp(i);
            siftDown(last.heapIndex);
        }
    }

    private void siftUp(int i) {
        TcpConnection x = heap[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            TcpConnection p = heap[parent];
            if (p.deadline <= x.deadline) {
                break;
            }
            heap[i] = p;
            p.heapIndex = i;
            i = parent;
        }
        heap[i] = x;
        x.heapIndex = i;
    }

    private void siftDown(int i) {
        TcpConnection x = heap[i];
        int half = heapSize >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            int right = child + 1;
            if (right < heapSize && heap[right].deadline < heap[child].deadline) {
                child = right;
            }
            if (x.deadline <= heap[child].deadline) {
                break;
            }
            heap[i] = heap[child];
            heap[i].heapIndex = i;
            i = child;
        }
        heap[i] = x;
        x.heapIndex = i;
    }
}
