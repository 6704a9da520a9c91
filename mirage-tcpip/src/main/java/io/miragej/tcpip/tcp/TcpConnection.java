package io.miragej.tcpip.tcp;

import static io.miragej.tcpip.tcp.TcpHeader.ACK;
import static io.miragej.tcpip.tcp.TcpHeader.FIN;
import static io.miragej.tcpip.tcp.TcpHeader.PSH;
import static io.miragej.tcpip.tcp.TcpHeader.RST;
import static io.miragej.tcpip.tcp.TcpHeader.SYN;

import io.miragej.buffer.PacketBuffer;
import io.miragej.tcpip.checksum.InternetChecksum;
import io.miragej.tcpip.core.IpContext;
import io.miragej.tcpip.core.RangeSet;

/**
 * One TCP connection: the state machine of RFC 9293 section 3.10 and what it points to, as a
 * sans-IO core driven by its {@link Tcp} layer. Segments, the application's reads and writes and
 * the time go in; segments (through the layer's {@link io.miragej.tcpip.core.IpOutput}), changes
 * for the application ({@link Observer}) and the next deadline come out.
 *
 * <p>What it does, by specification:
 *
 * <ul>
 *   <li>Three-way handshake, simultaneous open and close, half-close, TIME-WAIT (RFC 9293); RST
 *       and SYN handling against blind attacks with challenge ACKs (RFC 5961).
 *   <li>MSS option (RFC 9293 3.7.1, RFC 6691), window scaling, timestamps and PAWS (RFC 7323),
 *       selective acknowledgments sent and used (RFC 2018, loss recovery after RFC 6675).
 *   <li>Retransmission timer with exponential back-off (RFC 6298, Karn's algorithm without
 *       timestamps); go-back-N after a timeout, skipping data the peer has SACKed.
 *   <li>Congestion control: slow start with byte counting (RFC 3465), congestion avoidance, fast
 *       retransmit and fast recovery (RFC 5681), NewReno partial ACKs when the peer does not do
 *       SACK (RFC 6582), limited transmit (RFC 3042), restart after idle, initial window of ten
 *       segments (RFC 6928).
 *   <li>Delayed ACKs (every second segment or after {@link TcpConfig#delayedAck}, at once for
 *       out-of-order data), Nagle's algorithm with a switch (RFC 896), sender and receiver silly
 *       window avoidance (RFC 9293 3.8.6.2), zero-window probes with back-off, keep-alive.
 *   <li>Bounded send and receive buffers: writes take what fits, the receive window is the free
 *       space of the receive buffer.
 * </ul>
 *
 * <p>All methods run on the stack's loop. Buffers are allocated when the connection is
 * synchronised, so half-open connections cost little; nothing is allocated per segment.
 */
public final class TcpConnection {
    public enum State {
        CLOSED, SYN_SENT, SYN_RECEIVED, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSE_WAIT, CLOSING, LAST_ACK, TIME_WAIT
    }

    /** Why a connection ended other than by an orderly close. */
    public enum Failure { NONE, REFUSED, RESET, TIMED_OUT, UNREACHABLE, ABORTED, NO_RESOURCES }

    /** Told, on the loop, when something the application waits for changed. */
    @FunctionalInterface
    public interface Observer {
        void changed(TcpConnection connection);
    }

    static final int DUP_THRESHOLD = 3;
    static final long MAX_PERSIST = 60_000_000_000L;
    static final long PAWS_IDLE = 24L * 24 * 3600 * 1_000_000_000L;
    /** Timestamp ticks a segment may lag TS.Recent by and still pass PAWS (Linux's TCP_PAWS_WINDOW). */
    static final int PAWS_TOLERANCE = 1;
    static final int SACK_SCOREBOARD = 32;
    static final int OUT_OF_ORDER_RANGES = 32;
    static final int MIN_MSS = 88;
    /** RFC 8985 7.2: the worst-case delayed ACK a probe timeout allows for (WCDelAckT). */
    static final long WORST_CASE_DELAYED_ACK = 200_000_000L;

    final Tcp tcp;
    private final TcpConfig config;
    final long localHigh;
    final long localLow;
    final long remoteHigh;
    final long remoteLow;
    final int localPort;
    final int remotePort;
    private final long pseudoSum;
    /** The listening port that accepted this connection, null for active opens. */
    final Tcp.Listening listening;
    private Observer observer;

    State state = State.CLOSED;
    private Failure failure = Failure.NONE;

    // ---- send side ----
    final int iss;
    int sndUna;
    int sndNxt;
    /** Highest sequence number sent plus one (RFC 6675's HighData + 1). */
    int sndMax;
    int sndWnd;
    private int sndWl1;
    private int sndWl2;
    private int maxSndWnd;
    private int sndScale;
    private boolean synAcked;
    private boolean finQueued;
    private boolean finSent;
    private boolean finAcked;
    private ByteRing sendBuffer;

    // ---- receive side ----
    int irs;
    int rcvNxt;
    /** Right edge of the window last advertised; never moves left (RFC 7323 2.4). */
    private int rcvAdv;
    private int rcvScale;
    private ByteRing receiveBuffer;
    private RangeSet outOfOrder;
    private boolean peerFinKnown;
    private int peerFinSeq;
    private boolean finReceived;
    private int lastAckSent;
    /** A D-SACK block to send with the next ACK: data that arrived twice. */
    private boolean dsackPending;
    private int dsackStart;
    private int dsackEnd;

    // ---- options ----
    private boolean tsOk;
    private boolean sackOk;
    private boolean wsOk;
    private int tsRecent;
    private long tsRecentTime;
    private final int tsOffset;
    private int peerMss;
    /** Payload bytes per segment (options excluded). */
    int smss;

    // ---- congestion control and loss recovery ----
    private final CongestionControl cc;
    /** HyStart++ (RFC 9406) for the first slow start, or null. */
    private final HyStart hyStart;
    int cwnd;
    int ssthresh = Integer.MAX_VALUE;
    boolean inRecovery;
    /** After a retransmission timeout with RACK: lost segments are resent until {@link #recover}. */
    boolean rtoRecovery;
    /** D-SACK undo: armed by a fast recovery, with the window it cut and its retransmissions to account for. */
    private boolean undoArmed;
    private int undoMarker;
    private int undoRetransmissions;
    private int priorCwnd;
    private int priorSsthresh;
    /** Proportional rate reduction (RFC 6937): delivered and sent in this recovery, flight at its start. */
    private int prrDelivered;
    private int prrOut;
    private int recoverFs;
    private int recover;
    private int highRxt;
    int dupAcks;
    private boolean retransmitHead;
    private RangeSet sacked;
    /** RACK-TLP (RFC 8985) where the peer does SACK: the segments in flight and RACK's state. */
    private SentLog sentLog;
    private Rack rack;
    /** The reordering timer of RACK: when the next segment may be declared lost. */
    long reorderAt = Long.MAX_VALUE;
    /** The probe timeout of TLP (RFC 8985 7). */
    long tlpAt = Long.MAX_VALUE;
    private boolean tlpDue;
    /** A probe is out and its outcome unknown (TLP.end_seq is set). */
    private boolean tlpOutstanding;
    private int tlpEndSeq;
    private boolean tlpRetransmitted;
    /** Set when the probe timer is to be (re)started after this event (new data sent, data acked). */
    private boolean tlpRestart;

    // ---- timers (absolute nanoseconds; Long.MAX_VALUE when off) ----
    final RttEstimator rtt = new RttEstimator();
    private boolean rttTiming;
    private int rttSeq;
    private long rttStart;
    long rtoAt = Long.MAX_VALUE;
    private long delayedAckAt = Long.MAX_VALUE;
    long persistAt = Long.MAX_VALUE;
    private int persistBackoff;
    private long keepAliveAt = Long.MAX_VALUE;
    private int keepAliveProbesSent;
    private long closeAt = Long.MAX_VALUE;
    int retries;
    private boolean synRetransmitted;
    private long lastSendTime;
    private long lastReceiveTime;

    // ---- acknowledgment state ----
    private int segmentsUnacked;
    /** Largest payload the peer sent: its segment size, for the every-second-full-segment ACK rule. */
    private int rcvMss;
    private boolean ackNow;
    /** In the layer's queue of connections owing an ACK at the end of the batch. */
    boolean ackQueued;

    // ---- application ----
    private boolean noDelay;
    private boolean keepAlive;
    /** close() was called: nothing more will be read, the connection is orphaned once FIN is out. */
    private boolean appClosed;
    private boolean notify;
    private boolean wasEstablished;

    // ---- the layer's bookkeeping ----
    int heapIndex = -1;
    long deadline = Long.MAX_VALUE;
    int tableIndex = -1;
    /** When the connection entered TIME-WAIT or became half-open, for eviction order. */
    long since;

    TcpConnection(Tcp tcp, TcpConfig config, long localHigh, long localLow, int localPort, long remoteHigh,
            long remoteLow, int remotePort, Tcp.Listening listening, int iss, int tsOffset) {
        this.tcp = tcp;
        this.config = config;
        this.localHigh = localHigh;
        this.localLow = localLow;
        this.localPort = localPort;
        this.remoteHigh = remoteHigh;
        this.remoteLow = remoteLow;
        this.remotePort = remotePort;
        this.listening = listening;
        this.iss = iss;
        this.tsOffset = tsOffset;
        this.pseudoSum = io.miragej.tcpip.core.IpOutput.pseudoAddressSum(localHigh, localLow, remoteHigh, remoteLow)
                + Tcp.PROTOCOL;
        this.noDelay = config.noDelay();
        this.keepAlive = config.keepAlive();
        this.cc = config.congestion().create();
        this.hyStart = config.hyStart() ? new HyStart() : null;
        sndUna = sndNxt = sndMax = iss;
        sndWl2 = iss;
        highRxt = recover = iss;
        int ourMss = tcp.maxSegment(remoteHigh, remoteLow);
        smss = Math.max(MIN_MSS, Math.min(ourMss, IpContext.isMapped(remoteHigh, remoteLow) ? 536 : 1220));
        rcvScale = 0;
        if (config.windowScaling()) {
            while (rcvScale < 14 && (config.receiveBuffer() >> rcvScale) > 65_535) {
                rcvScale++;
            }
        }
    }

    // =====================================================================================
    // Opening
    // =====================================================================================

    /** Active open: sends the SYN. */
    void openActive(long now) {
        allocateBuffers();
        setState(State.SYN_SENT);
        lastReceiveTime = now;
    }

    /** Passive open from a SYN that arrived on a listening port: answers with a SYN-ACK. */
    void openPassive(TcpHeader seg, long now) {
        irs = seg.seq();
        rcvNxt = irs + 1;
        lastAckSent = rcvNxt;
        negotiate(seg, now);
        sndWnd = seg.window(); // never scaled in a SYN (RFC 7323 2.2)
        maxSndWnd = sndWnd;
        sndWl1 = seg.seq();
        sndWl2 = iss;
        rcvAdv = rcvNxt + Math.min(config.receiveBuffer(), 65_535);
        setState(State.SYN_RECEIVED);
        lastReceiveTime = now;
    }

    private void allocateBuffers() {
        if (sendBuffer == null) {
            sendBuffer = new ByteRing(config.sendBuffer());
            receiveBuffer = new ByteRing(config.receiveBuffer());
            outOfOrder = new RangeSet(OUT_OF_ORDER_RANGES);
            sacked = new RangeSet(SACK_SCOREBOARD);
            if (config.rack()) {
                sentLog = new SentLog();
                rack = new Rack();
            }
        }
    }

    /** Takes the options of the peer's SYN: what both sides offered is used. */
    private void negotiate(TcpHeader seg, long now) {
        boolean v4 = IpContext.isMapped(remoteHigh, remoteLow);
        peerMss = seg.mss > 0 ? seg.mss : (v4 ? 536 : 1220);
        wsOk = config.windowScaling() && seg.windowScale >= 0;
        sndScale = wsOk ? seg.windowScale : 0;
        if (!wsOk) {
            rcvScale = 0;
        }
        tsOk = config.timestamps() && seg.hasTimestamp;
        if (tsOk) {
            tsRecent = seg.tsVal;
            tsRecentTime = now;
        }
        sackOk = config.sack() && seg.sackPermitted;
        int ourMss = tcp.maxSegment(remoteHigh, remoteLow);
        smss = Math.max(MIN_MSS, Math.min(peerMss, ourMss) - (tsOk ? 12 : 0));
        cwnd = initialWindow();
    }

    private int initialWindow() {
        return Math.min(10 * smss, Math.max(2 * smss, 14_600)); // RFC 6928
    }

    // =====================================================================================
    // The application's side (called on the loop by the stack's adapter)
    // =====================================================================================

    public void setObserver(Observer observer) {
        this.observer = observer;
    }

    public void setNoDelay(boolean noDelay, long now) {
        this.noDelay = noDelay;
        tcp.afterEvent(this, now);
    }

    public boolean noDelay() {
        return noDelay;
    }

    /** Turns keep-alive probes on or off (timing from the configuration). */
    public void setKeepAlive(boolean on, long now) {
        this.keepAlive = on;
        keepAliveProbesSent = 0;
        lastReceiveTime = now;
        tcp.afterEvent(this, now);
    }

    public State state() {
        return state;
    }

    public Failure failure() {
        return failure;
    }

    /** True once the handshake completed (and still so after the connection ended). */
    public boolean isSynchronized() {
        return wasEstablished;
    }

    public boolean isClosed() {
        return state == State.CLOSED;
    }

    /** Bytes the application can read now. */
    public int readable() {
        return receiveBuffer == null ? 0 : receiveBuffer.size();
    }

    /** True when the peer's FIN came and every byte before it has been read. */
    public boolean atEndOfStream() {
        return finReceived && readable() == 0;
    }

    /** Bytes the application can write now without waiting. */
    public int writable() {
        if (sendBuffer == null || finQueued || !canQueueData()) {
            return 0;
        }
        return sendBuffer.free();
    }

    /** Bytes written and not yet sent for the first time. */
    public int unsent() {
        if (sendBuffer == null) {
            return 0;
        }
        int end = dataBase() + sendBuffer.size();
        return Math.max(0, end - Seq.max(sndMax, dataBase()));
    }

    /** Bytes written and not yet acknowledged. */
    public int unacknowledged() {
        return sendBuffer == null ? 0 : sendBuffer.size();
    }

    private boolean canQueueData() {
        return state == State.SYN_SENT || state == State.SYN_RECEIVED || state == State.ESTABLISHED
                || state == State.CLOSE_WAIT;
    }

    /** True when writes can no longer succeed: output shut down, or the connection is gone. */
    public boolean outputClosed() {
        return finQueued || !canQueueData();
    }

    /** Reads up to {@code len} received bytes; 0 when none are buffered. */
    public int read(byte[] dst, int off, int len, long now) {
        if (receiveBuffer == null) {
            return 0;
        }
        int n = receiveBuffer.read(dst, off, len);
        if (n > 0 && windowUpdateDue()) {
            ackNow = true;
        }
        tcp.afterEvent(this, now);
        return n;
    }

    /** Queues up to {@code len} bytes for sending; returns how many fit (0 when the buffer is full). */
    public int write(byte[] src, int off, int len, long now) {
        if (sendBuffer == null || finQueued || !canQueueData()) {
            return 0;
        }
        int n = sendBuffer.append(src, off, len);
        tcp.afterEvent(this, now);
        return n;
    }

    /** Sends FIN after the data written so far (half-close); reading goes on. */
    public void shutdownOutput(long now) {
        switch (state) {
            case SYN_SENT, SYN_RECEIVED -> finQueued = true; // FIN-WAIT-1 once established
            case ESTABLISHED -> {
                finQueued = true;
                setState(State.FIN_WAIT_1);
            }
            case CLOSE_WAIT -> {
                finQueued = true;
                setState(State.LAST_ACK);
            }
            default -> {}
        }
        tcp.afterEvent(this, now);
    }

    /**
     * Closes both directions. With unread data, or data still arriving, the connection is reset
     * (RFC 9293 3.10.4, RFC 2525 2.17); otherwise FIN goes out after the data and the connection
     * finishes on its own.
     */
    public void close(long now) {
        if (state == State.CLOSED) {
            return;
        }
        if (state == State.SYN_SENT) {
            fail(Failure.NONE); // RFC 9293 3.10.4: delete the TCB
            tcp.afterEvent(this, now);
            return;
        }
        if (readable() > 0 && state.ordinal() >= State.ESTABLISHED.ordinal()) {
            abort(now);
            return;
        }
        appClosed = true;
        shutdownOutput(now);
        if (state == State.FIN_WAIT_2) {
            closeAt = now + config.finWait2();
        }
        tcp.afterEvent(this, now);
    }

    /** Resets the connection: RST to the peer, everything dropped. */
    public void abort(long now) {
        if (state == State.CLOSED) {
            return;
        }
        if (state != State.SYN_SENT && state != State.TIME_WAIT) {
            sendControl(sndNxt, RST | ACK, now);
            tcp.txResets.increment();
        }
        fail(Failure.ABORTED);
        tcp.afterEvent(this, now);
    }

    // =====================================================================================
    // Segment arrival (RFC 9293 3.10.7)
    // =====================================================================================

    void input(TcpHeader seg, long now) {
        lastReceiveTime = now;
        keepAliveProbesSent = 0;
        switch (state) {
            case CLOSED -> {
                return;
            }
            case SYN_SENT -> {
                synSentInput(seg, now);
                return;
            }
            case TIME_WAIT -> {
                timeWaitInput(seg, now);
                return;
            }
            default -> {}
        }
        int flags = seg.flags();
        int seq = seg.seq();
        // PAWS (RFC 7323 5.3), as Linux: one tick of tolerance, and a duplicate ACK that was merely
        // overtaken (nothing in it but an acknowledgment already known) is not thrown away.
        if (tsOk && seg.hasTimestamp && (flags & RST) == 0 && tsRecent - seg.tsVal > PAWS_TOLERANCE
                && now - tsRecentTime < PAWS_IDLE && !disorderedDuplicateAck(seg)) {
            tcp.dropPaws.increment();
            ackNow = true;
            return;
        }
        // Is the segment in the window?
        int window = receiveSpace();
        int segLen = seg.sequenceLength();
        boolean acceptable;
        if (segLen == 0) {
            acceptable = window == 0 ? seq == rcvNxt : Seq.inRange(seq, rcvNxt, rcvNxt + window);
        } else {
            acceptable = window > 0 && (Seq.inRange(seq, rcvNxt, rcvNxt + window)
                    || Seq.inRange(seq + segLen - 1, rcvNxt, rcvNxt + window));
        }
        if (!acceptable && !(window == 0 && seq == rcvNxt)) {
            int len = seg.payloadLength();
            boolean duplicate = len > 0 && Seq.le(seq + len, rcvNxt);
            if ((flags & RST) == 0) {
                ackNow = true;
                if (duplicate) {
                    reportDuplicate(seq, len); // an old duplicate: D-SACK it (RFC 2883 4.1.1)
                }
            }
            (duplicate ? tcp.duplicateSegments : tcp.dropOutOfWindow).increment();
            return;
        }
        // RST (RFC 5961 3.2: only an exact match resets; others in the window get a challenge ACK)
        if ((flags & RST) != 0) {
            if (seq == rcvNxt) {
                tcp.rxResets.increment();
                if (state == State.SYN_RECEIVED && listening != null) {
                    fail(Failure.NONE); // back to listening: nobody was told of this connection
                } else if (state == State.SYN_RECEIVED) {
                    fail(Failure.REFUSED); // from a simultaneous open
                } else if (state == State.CLOSING || state == State.LAST_ACK) {
                    fail(Failure.NONE);
                } else {
                    fail(Failure.RESET);
                }
            } else {
                challengeAck();
            }
            return;
        }
        // SYN in a synchronized state (RFC 5961 4.2); a retransmitted SYN in SYN-RECEIVED gets
        // the SYN-ACK again.
        if ((flags & SYN) != 0) {
            if (state == State.SYN_RECEIVED && seq == irs) {
                sndNxt = iss;
            } else {
                challengeAck();
            }
            return;
        }
        if ((flags & ACK) == 0) {
            return;
        }
        if (tsOk && seg.hasTimestamp && Seq.le(seq, lastAckSent) && Seq.ge(seg.tsVal, tsRecent)) {
            tsRecent = seg.tsVal;
            tsRecentTime = now;
        }
        if (state == State.SYN_RECEIVED) {
            int ack = seg.ack();
            if (Seq.lt(sndUna, ack) && Seq.le(ack, sndMax)) {
                sndWnd = seg.window() << sndScale;
                maxSndWnd = Math.max(maxSndWnd, sndWnd);
                sndWl1 = seq;
                sndWl2 = ack;
                allocateBuffers();
                setState(finQueued ? State.FIN_WAIT_1 : State.ESTABLISHED);
                tcp.established(this);
            } else {
                sendControlTo(ack, RST, now);
                return;
            }
        }
        if (!processAck(seg, now)) {
            return;
        }
        switch (state) {
            case FIN_WAIT_1 -> {
                if (finAcked) {
                    setState(State.FIN_WAIT_2);
                    if (appClosed) {
                        closeAt = now + config.finWait2();
                    }
                }
            }
            case CLOSING -> {
                if (finAcked) {
                    enterTimeWait(now);
                }
                return;
            }
            case LAST_ACK -> {
                if (finAcked) {
                    fail(Failure.NONE);
                }
                return;
            }
            default -> {}
        }
        int len = seg.payloadLength();
        boolean fitted = true;
        if (len > 0 && (state == State.ESTABLISHED || state == State.FIN_WAIT_1 || state == State.FIN_WAIT_2)) {
            if (appClosed) {
                // Data for an application that closed: it will never be read (RFC 2525 2.17).
                sendControl(sndNxt, RST | ACK, now);
                tcp.txResets.increment();
                fail(Failure.ABORTED);
                return;
            }
            fitted = receiveData(seg, now);
        }
        if ((flags & FIN) != 0 && fitted && !peerFinKnown) {
            peerFinKnown = true;
            peerFinSeq = seq + len;
        }
        processFinIfReady(now);
    }

    private boolean disorderedDuplicateAck(TcpHeader seg) {
        return (seg.flags() & (SYN | FIN | RST | ACK)) == ACK && seg.payloadLength() == 0 && seg.seq() == rcvNxt
                && seg.ack() == sndUna;
    }

    private void synSentInput(TcpHeader seg, long now) {
        int flags = seg.flags();
        boolean ackOk = false;
        if ((flags & ACK) != 0) {
            int ack = seg.ack();
            if (Seq.le(ack, iss) || Seq.gt(ack, sndMax)) {
                if ((flags & RST) == 0) {
                    sendControlTo(ack, RST, now);
                }
                return;
            }
            ackOk = true;
        }
        if ((flags & RST) != 0) {
            if (ackOk) {
                tcp.rxResets.increment();
                fail(Failure.REFUSED);
            }
            return;
        }
        if ((flags & SYN) == 0) {
            return;
        }
        irs = seg.seq();
        rcvNxt = irs + 1;
        lastAckSent = rcvNxt;
        negotiate(seg, now);
        if (synRetransmitted) {
            rtt.synWasRetransmitted();
        }
        rcvAdv = rcvNxt + Math.min(config.receiveBuffer(), 65_535);
        if (ackOk) {
            sndWnd = seg.window(); // a SYN-ACK's window is never scaled (RFC 7323 2.2)
            maxSndWnd = sndWnd;
            sndWl1 = seg.seq();
            sndWl2 = seg.ack();
            processSynAck(seg, now);
            setState(finQueued ? State.FIN_WAIT_1 : State.ESTABLISHED);
            ackNow = true;
            tcp.established(this);
            if (seg.payloadLength() > 0) {
                receiveData(seg, now);
            }
            if ((flags & FIN) != 0) {
                peerFinKnown = true;
                peerFinSeq = seg.seq() + 1 + seg.payloadLength();
                processFinIfReady(now);
            }
        } else {
            // Simultaneous open (RFC 9293 figure 7): answer with SYN-ACK from our ISS.
            sndWnd = seg.window();
            maxSndWnd = sndWnd;
            sndWl1 = seg.seq();
            sndNxt = iss;
            setState(State.SYN_RECEIVED);
        }
    }

    private void processSynAck(TcpHeader seg, long now) {
        int ack = seg.ack();
        synAcked = true;
        sndUna = ack;
        if (Seq.lt(sndNxt, sndUna)) {
            sndNxt = sndUna;
        }
        highRxt = recover = sndUna;
        if (tsOk && seg.tsEcr != 0) {
            rtt.sample((long) (tsNow(now) - (seg.tsEcr)) * 1_000_000L);
        } else if (rttTiming) {
            rtt.sample(now - rttStart);
        }
        rttTiming = false;
        retries = 0;
        rtoAt = sndUna == sndMax ? Long.MAX_VALUE : now + rtt.rto();
    }

    private void timeWaitInput(TcpHeader seg, long now) {
        int flags = seg.flags();
        if ((flags & RST) != 0) {
            return; // RFC 1337: a RST must not end TIME-WAIT early
        }
        if ((flags & FIN) != 0) {
            ackNow = true;
            closeAt = now + config.timeWait();
        } else if (seg.sequenceLength() > 0) {
            ackNow = true;
        }
    }

    /** Sender side of an acceptable segment's ACK; false when the segment is to be dropped. */
    private boolean processAck(TcpHeader seg, long now) {
        int ack = seg.ack();
        int seq = seg.seq();
        int unaBefore = sndUna;
        int sackedBefore = sentLog != null ? sentLog.sackedBytes() : 0;
        if (Seq.gt(ack, sndMax)) {
            ackNow = true; // acknowledges something not yet sent
            return false;
        }
        if (Seq.lt(ack, sndUna - Math.max(maxSndWnd, 1))) {
            challengeAck(); // RFC 5961 5.2
            return false;
        }
        int window = seg.window() << sndScale;
        boolean windowChanged = false;
        if (Seq.le(sndUna, ack) && (Seq.lt(sndWl1, seq) || (sndWl1 == seq && Seq.le(sndWl2, ack)))) {
            windowChanged = window != sndWnd;
            sndWnd = window;
            sndWl1 = seq;
            sndWl2 = ack;
            maxSndWnd = Math.max(maxSndWnd, window);
            if (window > 0) {
                persistAt = Long.MAX_VALUE;
                persistBackoff = 0;
            }
        }
        int acked = ack - sndUna;
        if (acked > 0) {
            newAck(seg, ack, acked, now);
            updateScoreboard(seg, now);
        } else if (acked == 0 && sndUna != sndMax && seg.payloadLength() == 0 && !windowChanged
                && (seg.flags() & (SYN | FIN)) == 0) {
            updateScoreboard(seg, now);
            duplicateAck(now);
        } else {
            updateScoreboard(seg, now);
        }
        if (rackOn()) {
            rackAfterAck(seg, (sndUna - unaBefore) + (sentLog.sackedBytes() - sackedBefore), now);
        }
        undoOnDsack(seg, now);
        return true;
    }

    private void newAck(TcpHeader seg, int ack, int acked, long now) {
        int dataAcked = acked;
        if (!synAcked) {
            synAcked = true;
            dataAcked--;
        }
        if (finSent && !finAcked && Seq.ge(ack, finSeq() + 1)) {
            finAcked = true;
            dataAcked--;
        }
        dataAcked = Math.min(Math.max(dataAcked, 0), sendBuffer.size());
        sendBuffer.consume(dataAcked);
        sndUna = ack;
        if (Seq.lt(sndNxt, sndUna)) {
            sndNxt = sndUna;
        }
        if (Seq.lt(highRxt, sndUna)) {
            highRxt = sndUna;
        }
        sacked.shift(acked);
        // RTT: timestamps echo our clock (RFC 7323 4.1); otherwise one timed segment, Karn's rule.
        if (tsOk && seg.hasTimestamp && seg.tsEcr != 0) {
            rtt.sample((long) (tsNow(now) - seg.tsEcr) * 1_000_000L);
        } else if (rttTiming && Seq.ge(ack, rttSeq)) {
            rtt.sample(now - rttStart);
            rttTiming = false;
        }
        retries = 0;
        long sample = -1;
        if (rackOn()) {
            rackAcknowledged(seg, ack, now);
            tlpRestart = true;
            sample = rack.takeSample();
        } else if (tsOk && seg.hasTimestamp && seg.tsEcr != 0) {
            sample = (long) (tsNow(now) - seg.tsEcr) * 1_000_000L;
        }
        if (inRecovery) {
            if (Seq.ge(ack, recover)) {
                inRecovery = false;
                if (rack != null) {
                    rack.recoveryEnded();
                }
                int flight = sndMax - sndUna;
                cwnd = Math.min(ssthresh, Math.max(flight, smss) + smss); // RFC 6582 3.2 step 3
            } else if (!sackOk) {
                retransmitHead = true; // NewReno partial ACK: the next hole is at sndUna
                cwnd = Math.max(cwnd - dataAcked + smss, smss);
            }
        } else if (dataAcked > 0) {
            if (rtoRecovery && Seq.ge(ack, recover)) {
                rtoRecovery = false;
                rack.recoveryEnded();
            }
            int growth = dataAcked;
            if (cwnd < ssthresh && hyStart != null && hyStart.active()) {
                if (hyStart.onAck(ack, sndMax, sample)) {
                    ssthresh = cwnd; // HyStart++ found the queue building: congestion avoidance from here
                    tcp.hyStartExits.increment();
                } else if (hyStart.conservative()) {
                    growth = Math.max(1, dataAcked / HyStart.CSS_GROWTH_DIVISOR);
                }
            }
            cwnd = cc.onAck(cwnd, ssthresh, growth, smss, now, rtt.srtt());
        }
        dupAcks = 0;
        rtoAt = sndUna == sndMax ? Long.MAX_VALUE : now + rtt.rto();
        if (dataAcked > 0) {
            notify = true;
        }
    }

    private void duplicateAck(long now) {
        dupAcks++;
        tcp.duplicateAcks.increment();
        if (rackOn()) {
            return; // RACK marks losses from what was SACKed (processAck)
        }
        if (!inRecovery) {
            if ((dupAcks >= DUP_THRESHOLD || (sackOk && lostBoundary() > 0)) && Seq.ge(sndUna, recover)) {
                enterRecovery(now);
            }
        } else if (!sackOk) {
            cwnd += smss; // inflation for each segment that left the network (RFC 5681 3.2 step 4)
        }
    }

    private void enterRecovery(long now) {
        if (hyStart != null) {
            hyStart.end();
        }
        armUndo();
        int flight = sndMax - sndUna;
        ssthresh = cc.onCongestion(cwnd, flight, smss, now);
        cwnd = sackOk ? ssthresh : ssthresh + DUP_THRESHOLD * smss;
        recoverFs = flight;
        prrDelivered = 0;
        prrOut = 0;
        inRecovery = true;
        recover = sndMax;
        highRxt = sndUna;
        retransmitHead = true;
        rttTiming = false;
        tcp.fastRetransmits.increment();
    }

    // ---- undoing a recovery that was not needed (D-SACK: RFC 2883 section 5, RFC 3708) ----

    /** A fast recovery starts: remember the window it cuts, count the retransmissions it makes. */
    private void armUndo() {
        if (!sackOk) {
            return;
        }
        undoArmed = true;
        undoMarker = sndUna;
        undoRetransmissions = 0;
        priorCwnd = cwnd;
        priorSsthresh = ssthresh;
    }

    private void retransmitted() {
        tcp.retransmittedSegments.increment();
        if (undoArmed) {
            undoRetransmissions++;
        }
    }

    /**
     * A D-SACK for data at or above the start of the last recovery: one of its retransmissions
     * was not needed. Once every one of them is reported so, the loss was reordering: the window
     * and threshold go back to what they were (as Linux's D-SACK undo).
     */
    private void undoOnDsack(TcpHeader seg, long now) {
        if (!undoArmed || undoRetransmissions <= 0 || !hasDsack(seg) || Seq.lt(seg.sackLeft[0], undoMarker)) {
            return;
        }
        if (--undoRetransmissions > 0) {
            return;
        }
        undoArmed = false;
        cwnd = Math.max(cwnd, priorCwnd);
        ssthresh = Math.max(ssthresh, priorSsthresh);
        cc.undo();
        if (inRecovery) {
            inRecovery = false;
            if (rack != null) {
                rack.recoveryEnded();
            }
        }
        tcp.undos.increment();
    }

    private void updateScoreboard(TcpHeader seg, long now) {
        if (!sackOk || seg.sackBlocks == 0 || sacked == null) {
            return;
        }
        // Blocks in ascending order, so RACK sees newly SACKed segments in sequence order (RFC 8985
        // 6.2 step 3); at most four, picked by selection without sorting into a new array.
        int done = 0;
        for (int n = 0; n < seg.sackBlocks; n++) {
            int i = -1;
            for (int j = 0; j < seg.sackBlocks; j++) {
                if ((done & (1 << j)) == 0 && (i < 0 || Seq.lt(seg.sackLeft[j], seg.sackLeft[i]))) {
                    i = j;
                }
            }
            done |= 1 << i;
            int left = seg.sackLeft[i];
            int right = seg.sackRight[i];
            if (!Seq.lt(left, right) || Seq.le(right, sndUna) || Seq.gt(right, sndMax)) {
                continue; // malformed, old (D-SACK) or for data never sent
            }
            if (Seq.lt(left, sndUna)) {
                left = sndUna;
            }
            sacked.add(left - sndUna, right - sndUna);
            if (rackOn()) {
                rackSacked(seg, left, right, now);
            }
        }
    }

    // =====================================================================================
    // RACK-TLP (RFC 8985)
    // =====================================================================================

    /** True when RACK-TLP detects losses on this connection: configured, and the peer does SACK. */
    boolean rackOn() {
        return sackOk && sentLog != null;
    }

    /** RACK steps 2 and 3 for the segments a new cumulative ACK covers; then forgets them. */
    private void rackAcknowledged(TcpHeader seg, int ack, long now) {
        for (int i = 0; i < sentLog.size() && Seq.le(sentLog.end(i), ack); i++) {
            if (!sentLog.is(i, SentLog.SACKED)) {
                rackDelivered(seg, i, now);
            }
        }
        sentLog.acknowledge(ack);
    }

    /** RACK steps 2 and 3 for the segments a SACK block covers, marked SACKed. */
    private void rackSacked(TcpHeader seg, int left, int right, long now) {
        sentLog.splitAt(left);
        sentLog.splitAt(right);
        for (int i = sentLog.firstEndingAfter(left); i < sentLog.size() && Seq.le(sentLog.end(i), right); i++) {
            if (!sentLog.is(i, SentLog.SACKED)) {
                rackDelivered(seg, i, now);
                sentLog.markSacked(i);
            }
        }
    }

    private void rackDelivered(TcpHeader seg, int i, long now) {
        long sentAt = sentLog.sentAt(i);
        boolean echoedBefore = tsOk && seg.hasTimestamp && Seq.lt(seg.tsEcr, tsNow(sentAt));
        rack.delivered(sentAt, sentLog.order(i), sentLog.end(i), sentLog.is(i, SentLog.RETRANSMITTED), echoedBefore,
                now);
    }

    /** After an acceptable ACK: D-SACK, RACK's loss detection (step 4 and 5) and TLP's outcome. */
    private void rackAfterAck(TcpHeader seg, int delivered, long now) {
        boolean dsack = hasDsack(seg);
        rack.acknowledged(dsack, sndUna, sndMax);
        if (seg.sackBlocks > 0 || sentLog.sackedSegments() > 0 || inRecovery || rtoRecovery
                || reorderAt != Long.MAX_VALUE) {
            // Without SACK information and outside recovery every segment in flight was sent after
            // the ones just acknowledged: nothing to judge, and no walk over the log per ACK.
            rackDetectLoss(now);
        }
        if (inRecovery) {
            proportionalRateReduction(delivered);
        }
        if (tlpOutstanding && Seq.ge(seg.ack(), tlpEndSeq)) {
            // RFC 8985 7.4.2: what became of the probe.
            if (!tlpRetransmitted) {
                tlpOutstanding = false; // new data delivered; any loss before it is RACK's to find
            } else if (dsack && seg.sackRight[0] == tlpEndSeq) {
                tlpOutstanding = false; // the probe was a needless copy: nothing was lost
            } else if (Seq.gt(seg.ack(), tlpEndSeq)) {
                tlpOutstanding = false; // the probe repaired a loss: respond to it as congestion
                ssthresh = cc.onCongestion(cwnd, sndMax - sndUna, smss, now);
                cwnd = Math.min(cwnd, ssthresh);
                tcp.tlpRepairs.increment();
            }
        }
    }

    /** RACK step 5: marks losses, arms the reordering timer, starts recovery when something was lost. */
    private void rackDetectLoss(long now) {
        long window = rack.reorderingWindow(inRecovery || rtoRecovery, sentLog.sackedSegments(), rtt.srtt());
        int lostBefore = sentLog.lostBytes();
        long timeout = rack.detectLoss(sentLog, window, now);
        reorderAt = timeout > 0 ? now + timeout : Long.MAX_VALUE;
        if (sentLog.lostBytes() > lostBefore) {
            tcp.rackLosses.increment();
            if (!inRecovery && !rtoRecovery) {
                enterRecovery(now);
                proportionalRateReduction(0); // entered from the reordering timer: the first resend
            }
        }
    }

    /**
     * Proportional rate reduction (RFC 6937), with RACK: in recovery the window follows what the
     * peer reports delivered, sending ssthresh/RecoverFS of it while more than ssthresh is in
     * flight, and growing back towards ssthresh by slow start (the SSRB bound) below it. The first
     * resend of a recovery always goes.
     */
    private void proportionalRateReduction(int delivered) {
        prrDelivered += Math.max(delivered, 0);
        int pipe = rackPipe();
        long sendCount;
        if (pipe > ssthresh) {
            sendCount = ((long) prrDelivered * ssthresh + recoverFs - 1) / Math.max(recoverFs, 1) - prrOut;
        } else {
            sendCount = Math.min(ssthresh - pipe, Math.max(prrDelivered - prrOut, delivered) + (long) smss);
        }
        if (prrOut == 0) {
            sendCount = Math.max(sendCount, smss);
        }
        cwnd = (int) Math.max(pipe + Math.max(sendCount, 0), smss);
    }

    /** A D-SACK (RFC 2883): the first block reports data received twice. */
    private static boolean hasDsack(TcpHeader seg) {
        if (seg.sackBlocks == 0) {
            return false;
        }
        int left = seg.sackLeft[0];
        int right = seg.sackRight[0];
        return Seq.le(right, seg.ack()) || (seg.sackBlocks > 1 && Seq.ge(left, seg.sackLeft[1])
                && Seq.le(right, seg.sackRight[1]));
    }

    /** RACK's pipe: bytes sent, not SACKed and not presumed lost (RFC 6675's pipe with RACK's marks). */
    private int rackPipe() {
        return (sndMax - sndUna) - sentLog.sackedBytes() - sentLog.lostBytes();
    }

    /** Retransmits the first segment RACK (or a timeout) marked lost, if the window allows. */
    private boolean retransmitLost(long now) {
        int i = sentLog.firstLost();
        if (i < 0) {
            return false;
        }
        int start = sentLog.start(i);
        int end = Seq.min(sentLog.end(i), start + smss - sackSpace());
        boolean fin = finSent && Seq.ge(end, finSeq() + 1);
        int len = (fin ? finSeq() : end) - start;
        if (len < 0 || rackPipe() + Math.max(len, 1) > cwnd) {
            return false;
        }
        if (!sendSegment(start, ACK | (fin ? FIN : 0), start - dataBase(), len, now)) {
            return false;
        }
        sentLog.sent(start, start + len + (fin ? 1 : 0), now);
        prrOut += Math.max(len, 1);
        retransmitted();
        if (rtoAt == Long.MAX_VALUE) {
            rtoAt = now + rtt.rto();
        }
        return true;
    }

    /**
     * The probe timeout (RFC 8985 7.2): two smoothed RTTs, plus the worst-case delayed ACK when a
     * single segment is in flight. When the retransmission timeout would come first, the probe
     * takes its place: a probe instead of a timeout's collapse of the window.
     */
    private void armTlp(long now) {
        tlpRestart = false;
        if (!rackOn() || inRecovery || rtoRecovery || tlpOutstanding || sndUna == sndMax || !tlpState()) {
            tlpAt = Long.MAX_VALUE;
            return;
        }
        long pto;
        if (rtt.hasSample()) {
            pto = 2 * rtt.srtt() + (sndMax - sndUna <= smss ? WORST_CASE_DELAYED_ACK : 2_000_000L);
        } else {
            pto = RttEstimator.INITIAL_RTO;
        }
        long rtoLeft = rtoAt == Long.MAX_VALUE ? rtt.rto() : rtoAt - now;
        tlpAt = now + Math.min(pto, rtoLeft); // a timeout due first is replaced by the probe (as Linux)
    }

    private boolean tlpState() {
        return state == State.ESTABLISHED || state == State.CLOSE_WAIT || state == State.FIN_WAIT_1
                || state == State.CLOSING || state == State.LAST_ACK;
    }

    /**
     * Sends the tail loss probe (RFC 8985 7.3): a new segment if there is one and the peer's
     * window takes it, otherwise the last segment again; the retransmission timer restarts.
     */
    private void sendProbe(long now) {
        int dataEnd = dataBase() + sendBuffer.size();
        int available = dataEnd - sndNxt;
        int segmentLimit = smss - sackSpace();
        int len = Math.min(available, segmentLimit);
        boolean sent = false;
        if (available > 0 && sndNxt == sndMax && sndUna + sndWnd - sndNxt >= len) {
            int seq = sndNxt;
            boolean fin = finQueued && seq + len == finSeq();
            int flags = ACK | (fin ? FIN : 0) | (seq + len == dataEnd ? PSH : 0);
            if (sendSegment(seq, flags, seq - dataBase(), len, now)) {
                sndNxt = sndMax = seq + len + (fin ? 1 : 0);
                if (fin) {
                    finSent = true;
                }
                sentLog.sent(seq, sndMax, now);
                tlpRetransmitted = false;
                sent = true;
            }
        } else if (!sentLog.isEmpty()) {
            int last = sentLog.size() - 1;
            int end = sentLog.end(last);
            boolean fin = finSent && end == finSeq() + 1;
            int dataEndOfRecord = fin ? end - 1 : end;
            int start = Seq.max(sentLog.start(last), dataEndOfRecord - segmentLimit);
            len = dataEndOfRecord - start;
            if (sendSegment(start, ACK | (fin ? FIN : 0), start - dataBase(), len, now)) {
                sentLog.sent(start, end, now);
                tcp.retransmittedSegments.increment();
                tlpRetransmitted = true;
                sent = true;
            }
        }
        if (sent) {
            tcp.tlpProbes.increment();
            tlpOutstanding = true;
            tlpEndSeq = sndMax;
            rtoAt = now + rtt.rto();
        }
    }

    /**
     * Offset (from sndUna) below which every byte not SACKed counts as lost: DupThresh segments'
     * worth of SACKed bytes, or DupThresh SACKed ranges, lie above it (RFC 6675 IsLost). 0 when
     * nothing counts as lost.
     */
    private int lostBoundary() {
        if (sacked == null) {
            return 0;
        }
        int bytes = 0;
        int n = sacked.size();
        for (int i = n - 1; i >= 0; i--) {
            bytes += sacked.end(i) - sacked.start(i);
            if (bytes >= DUP_THRESHOLD * smss || n - i >= DUP_THRESHOLD) {
                return sacked.start(i);
            }
        }
        return 0;
    }

    private int sackedBytes() {
        int b = 0;
        for (int i = 0; i < sacked.size(); i++) {
            b += sacked.end(i) - sacked.start(i);
        }
        return b;
    }

    /** Bytes in [from, to) (offsets from sndUna) that are not SACKed. */
    private int unsackedIn(int from, int to) {
        if (to <= from) {
            return 0;
        }
        int covered = 0;
        for (int i = 0; i < sacked.size(); i++) {
            int s = Math.max(from, sacked.start(i));
            int e = Math.min(to, sacked.end(i));
            if (e > s) {
                covered += e - s;
            }
        }
        return (to - from) - covered;
    }

    /** RFC 6675's pipe: bytes presumed in the network. */
    private int pipe() {
        int outstanding = sndMax - sndUna;
        int boundary = lostBoundary();
        int retransmitted = Math.max(0, highRxt - sndUna);
        return outstanding - sackedBytes() - unsackedIn(retransmitted, boundary);
    }

    private boolean receiveData(TcpHeader seg, long now) {
        int seq = seg.seq();
        int len = seg.payloadLength();
        int off = seg.payloadOffset();
        int skip = rcvNxt - seq;
        if (skip > 0) {
            reportDuplicate(seq, Math.min(skip, len));
            if (skip >= len) {
                tcp.duplicateSegments.increment();
                ackNow = true;
                return true;
            }
            seq += skip;
            off += skip;
            len -= skip;
        }
        int space = receiveBuffer.capacity() - receiveBuffer.size();
        int rel = seq - rcvNxt;
        boolean fitted = true;
        if (rel >= space) {
            ackNow = true;
            tcp.dropBeyondWindow.increment();
            return false;
        }
        if (rel + len > space) {
            len = space - rel;
            fitted = false;
            tcp.dropBeyondWindow.increment();
        }
        boolean hadHoles = !outOfOrder.isEmpty();
        if (rel > 0 && outOfOrder.covers(rel, rel + len)) {
            reportDuplicate(seq, len); // held already, above a hole
        }
        receiveBuffer.writeAt(receiveBuffer.size() + rel, seg.buffer(), off, len);
        if (rel == 0) {
            deliver(len);
            int more = outOfOrder.contiguousFromZero();
            if (more > 0) {
                deliver(more);
            }
            segmentsUnacked++;
            if (hadHoles) {
                ackNow = true; // a hole filled: tell the sender at once (RFC 5681 4.2)
            } else if (ackDueForData(seg.segmentSize > 0 ? Math.min(len, seg.segmentSize) : len)) {
                if (tcp.acksDeferred()) {
                    tcp.ackLater(this); // one ACK at the end of the burst of frames
                } else {
                    ackNow = true;
                }
            } else if (delayedAckAt == Long.MAX_VALUE) {
                delayedAckAt = now + config.delayedAck();
            }
            notify = true;
        } else {
            if (!outOfOrder.add(rel, rel + len)) {
                tcp.dropOutOfOrderFull.increment();
            } else {
                tcp.outOfOrderSegments.increment();
            }
            ackNow = true; // out of order: a duplicate ACK at once, with SACK blocks
        }
        return fitted;
    }

    /**
     * The delayed-ACK rule: acknowledge once more than one full-sized segment is unacknowledged
     * (so every second full segment, RFC 1122 4.2.3.2, RFC 5681 4.2; as Linux), small segments
     * waiting for the timer or for enough bytes.
     */
    private boolean ackDueForData(int len) {
        if (len > rcvMss) {
            rcvMss = Math.min(len, receiveBuffer.capacity());
        }
        return config.delayedAck() == 0 || rcvNxt - lastAckSent > rcvMss;
    }

    /** A D-SACK for data received twice goes first in the next ACK (RFC 2883). */
    private void reportDuplicate(int seq, int len) {
        if (sackOk && len > 0) {
            dsackPending = true;
            dsackStart = seq;
            dsackEnd = seq + len;
        }
    }

    private void deliver(int n) {
        receiveBuffer.grow(n);
        rcvNxt += n;
        outOfOrder.shift(n);
    }

    private void processFinIfReady(long now) {
        if (!peerFinKnown || finReceived || rcvNxt != peerFinSeq) {
            return;
        }
        finReceived = true;
        rcvNxt++;
        ackNow = true;
        notify = true;
        switch (state) {
            case SYN_RECEIVED, ESTABLISHED -> setState(State.CLOSE_WAIT);
            case FIN_WAIT_1 -> {
                if (finAcked) {
                    enterTimeWait(now);
                } else {
                    setState(State.CLOSING);
                }
            }
            case FIN_WAIT_2 -> enterTimeWait(now);
            default -> {}
        }
    }

    private void enterTimeWait(long now) {
        setState(State.TIME_WAIT);
        rtoAt = persistAt = keepAliveAt = delayedAckAt = reorderAt = tlpAt = Long.MAX_VALUE;
        closeAt = now + config.timeWait();
        since = now;
        tcp.enteredTimeWait(this);
    }

    /**
     * The sequence number of a segment without data: the highest sent (as Linux's snd_nxt, kept
     * when a retransmission timeout sends from SND.UNA again), not SND.NXT, and never past the
     * peer's window. After timeouts on both sides each peer may have received more than the other
     * has seen acknowledged; an ACK numbered SND.NXT = SND.UNA is then below the peer's RCV.NXT,
     * unacceptable, answered with the peer's own unacceptable ACK, and the two loop for ever
     * without either acknowledgment being read (found by TcpLifecycleProperties).
     */
    private int pureAckSeq() {
        return Seq.min(sndMax, sndUna + sndWnd);
    }

    private void challengeAck() {
        if (tcp.takeChallengeAck()) {
            ackNow = true;
            tcp.challengeAcks.increment();
        }
    }

    /** The window to accept segments in: all free receive buffer space. */
    private int receiveSpace() {
        if (receiveBuffer == null) {
            return Math.max(0, rcvAdv - rcvNxt);
        }
        return receiveBuffer.capacity() - receiveBuffer.size();
    }

    // =====================================================================================
    // ICMP reports
    // =====================================================================================

    /** An ICMP error quoted a segment of ours starting at {@code quotedSeq}. */
    void icmpError(int quotedSeq, int kind, int mtu, long now) {
        if (!Seq.inRange(quotedSeq, sndUna, sndMax + 1)) {
            tcp.icmpIgnored.increment(); // not a segment in flight: forged or stale (RFC 5927 4.1)
            return;
        }
        switch (kind) {
            case io.miragej.tcpip.core.IcmpErrorListener.HARD_UNREACHABLE -> {
                if (state == State.SYN_SENT) {
                    fail(Failure.REFUSED);
                }
            }
            case io.miragej.tcpip.core.IcmpErrorListener.SOFT_UNREACHABLE -> {
                if (state == State.SYN_SENT && retries > 0) {
                    fail(Failure.UNREACHABLE);
                }
            }
            case io.miragej.tcpip.core.IcmpErrorListener.PACKET_TOO_BIG -> {
                int overhead = IpContext.isMapped(remoteHigh, remoteLow) ? 40 : 60;
                int newMss = Math.max(MIN_MSS * 6, mtu - overhead - (tsOk ? 12 : 0));
                if (mtu > 0 && newMss < smss) {
                    smss = newMss;
                    if (rackOn()) {
                        markLongerThanMssLost(); // resent in smaller segments, as Linux's simple retransmit
                    } else {
                        sndNxt = sndUna; // resend what was in flight in smaller segments
                    }
                    tcp.pmtuReductions.increment();
                }
            }
            default -> {}
        }
        tcp.afterEvent(this, now);
    }

    private void markLongerThanMssLost() {
        for (int i = 0; i < sentLog.size(); i++) {
            if (sentLog.end(i) - sentLog.start(i) > smss) {
                sentLog.markLost(i);
            }
        }
    }

    // =====================================================================================
    // Time
    // =====================================================================================

    void onTimer(long now) {
        if (closeAt <= now) {
            closeAt = Long.MAX_VALUE;
            fail(Failure.NONE);
            return;
        }
        if (tlpAt <= now) {
            tlpAt = Long.MAX_VALUE;
            tlpDue = rackOn() && !inRecovery && !rtoRecovery && !tlpOutstanding && sndUna != sndMax && tlpState();
            if (tlpDue && rtoAt <= now) {
                rtoAt = now + rtt.rto(); // the probe goes instead of the timeout
            }
        }
        if (rtoAt <= now) {
            rtoAt = Long.MAX_VALUE;
            retransmitTimeout(now);
            if (state == State.CLOSED) {
                return;
            }
        }
        if (reorderAt <= now) {
            reorderAt = Long.MAX_VALUE;
            if (rackOn()) {
                tcp.rackTimeouts.increment();
                rackDetectLoss(now);
            }
        }
        if (delayedAckAt <= now) {
            delayedAckAt = Long.MAX_VALUE;
            ackNow = true;
        }
        if (persistAt <= now) {
            persistAt = Long.MAX_VALUE;
            if (sndWnd == 0 && sndUna == sndMax && unsentOrFin()) {
                sendControl(sndUna - 1, ACK, now); // zero-window probe: an old sequence number asks for an ACK
                tcp.windowProbes.increment();
                persistBackoff++;
                persistAt = now + Math.min(MAX_PERSIST, rtt.rto() << Math.min(persistBackoff, 20));
            }
        }
        if (keepAliveAt <= now) {
            keepAliveAt = Long.MAX_VALUE;
            if (keepAlive && keepAliveState()) {
                if (keepAliveProbesSent >= config.keepAliveProbes()) {
                    fail(Failure.TIMED_OUT);
                    return;
                }
                sendControl(sndUna - 1, ACK, now);
                tcp.keepAliveProbes.increment();
                keepAliveProbesSent++;
                keepAliveAt = now + config.keepAliveInterval();
            }
        }
    }

    /**
     * States in which keep-alive probes a silent peer: synchronized ones where we may wait on it
     * indefinitely, FIN-WAIT-2 included (a half-closed connection whose peer vanished), as Linux.
     */
    private boolean keepAliveState() {
        return state == State.ESTABLISHED || state == State.CLOSE_WAIT || state == State.FIN_WAIT_2;
    }

    private boolean unsentOrFin() {
        return unsent() > 0 || (finQueued && !finSent);
    }

    private void retransmitTimeout(long now) {
        if (sndUna == sndMax) {
            return;
        }
        retries++;
        boolean handshake = state == State.SYN_SENT || state == State.SYN_RECEIVED;
        if (retries > (handshake ? config.synRetries() : config.retries())) {
            tcp.timeouts.increment();
            fail(state == State.SYN_RECEIVED && listening != null ? Failure.NONE : Failure.TIMED_OUT);
            return;
        }
        tcp.rtoExpired.increment();
        rtt.backOff();
        rttTiming = false;
        if (handshake) {
            synRetransmitted = true;
            sndNxt = iss;
            return;
        }
        if (retries == 1) {
            ssthresh = cc.onCongestion(cwnd, sndMax - sndUna, smss, now); // RFC 5681 equation 4 for NewReno
        }
        cc.onTimeout();
        if (hyStart != null) {
            hyStart.end();
        }
        undoArmed = false; // a timeout is not undone here (no F-RTO)
        cwnd = smss; // the loss window
        inRecovery = false;
        retransmitHead = false;
        recover = sndMax;
        dupAcks = 0;
        tlpOutstanding = false;
        tlpDue = false;
        tlpAt = Long.MAX_VALUE;
        reorderAt = Long.MAX_VALUE;
        if (retries >= 2) {
            sacked.clear(); // the peer may have reneged (RFC 2018 section 8)
            if (sentLog != null) {
                sentLog.forgetSacks();
            }
        }
        if (rackOn()) {
            // RFC 8985 6.3: everything not SACKed is lost and resent as the window allows.
            rtoRecovery = true;
            sentLog.markAllLost();
            return;
        }
        sndNxt = sndUna;
        highRxt = sndUna;
    }

    /** Recomputes {@link #deadline} from every timer. */
    void updateDeadline() {
        if (!keepAlive || !keepAliveState()) {
            keepAliveAt = Long.MAX_VALUE;
        } else if (keepAliveProbesSent == 0) {
            keepAliveAt = lastReceiveTime + config.keepAliveIdle(); // idle time counts from the last segment
        }
        long d = Math.min(rtoAt, delayedAckAt);
        d = Math.min(d, Math.min(reorderAt, tlpAt));
        d = Math.min(d, persistAt);
        d = Math.min(d, keepAliveAt);
        d = Math.min(d, closeAt);
        deadline = state == State.CLOSED ? Long.MAX_VALUE : d;
    }

    // =====================================================================================
    // Output
    // =====================================================================================

    /** Sends whatever is due: SYN, data, retransmissions, FIN, an ACK. */
    void output(long now) {
        switch (state) {
            case CLOSED -> {
                return;
            }
            case SYN_SENT, SYN_RECEIVED -> {
                if (sndNxt == iss) {
                    boolean synAck = state == State.SYN_RECEIVED;
                    sendSegment(iss, synAck ? SYN | ACK : SYN, 0, 0, now);
                    sndNxt = iss + 1;
                    sndMax = Seq.max(sndMax, sndNxt);
                    if (!synRetransmitted && !rttTiming && !tsOk) {
                        rttTiming = true;
                        rttSeq = sndNxt;
                        rttStart = now;
                    }
                    if (rtoAt == Long.MAX_VALUE) {
                        rtoAt = now + rtt.rto();
                    }
                } else if (ackNow && state == State.SYN_RECEIVED) {
                    sendSegment(sndNxt, ACK, 0, 0, now);
                }
                ackNow = false;
                return;
            }
            case TIME_WAIT -> {
                if (ackNow) {
                    sendSegment(sndNxt, ACK, 0, 0, now);
                }
                return;
            }
            default -> transmit(now);
        }
        if (ackNow) {
            sendSegment(pureAckSeq(), ACK, 0, 0, now);
        }
        if (tlpRestart) {
            armTlp(now);
        }
    }

    private int dataBase() {
        return synAcked ? sndUna : iss + 1;
    }

    private int finSeq() {
        return dataBase() + sendBuffer.size();
    }

    private void transmit(long now) {
        if (sendBuffer == null) {
            return;
        }
        if (sndUna == sndMax && lastSendTime != 0 && now - lastSendTime > rtt.rto() && cwnd > initialWindow()) {
            cwnd = initialWindow(); // restart after idle (RFC 5681 4.1)
            cc.onIdleRestart();
        }
        if (tlpDue) {
            tlpDue = false;
            sendProbe(now);
        }
        boolean rackOn = rackOn();
        boolean largeSegments = !inRecovery && !rtoRecovery;
        for (int guard = 0; guard < 10_000; guard++) {
            int dataEnd = dataBase() + sendBuffer.size();
            if (rackOn ? retransmitLost(now) : inRecovery && retransmitRecovery(dataEnd, now)) {
                continue;
            }
            // Skip data the peer already holds when resending after a timeout.
            if (sackOk && Seq.lt(sndNxt, sndMax) && !sacked.isEmpty()) {
                int off = sndNxt - sndUna;
                boolean skipped = false;
                for (int i = 0; i < sacked.size(); i++) {
                    if (sacked.start(i) <= off && off < sacked.end(i)) {
                        sndNxt = sndUna + sacked.end(i);
                        skipped = true;
                        break;
                    }
                }
                if (skipped) {
                    continue;
                }
            }
            int available = dataEnd - sndNxt;
            if (available < 0) {
                available = 0; // only the FIN is beyond the data
            }
            boolean finPending = finQueued && Seq.le(sndNxt, finSeq());
            int flight = rackOn ? rackPipe() : inRecovery && sackOk ? pipe() : sndNxt - sndUna;
            int allowance = inRecovery || rackOn ? 0 : Math.min(dupAcks, 2) * smss; // limited transmit
            int cwndRoom = cwnd + allowance - flight;
            int windowRoom = sndUna + sndWnd - sndNxt;
            int segmentLimit = smss - sackSpace();
            int len = Math.min(available, segmentLimit);
            // Before the next SACKed range, when resending after a timeout.
            if (sackOk && Seq.lt(sndNxt, sndMax)) {
                int off = sndNxt - sndUna;
                for (int i = 0; i < sacked.size(); i++) {
                    if (sacked.start(i) > off) {
                        len = Math.min(len, sacked.start(i) - off);
                        break;
                    }
                }
            }
            len = Math.min(len, Math.max(0, Math.min(windowRoom, cwndRoom)));
            boolean resend = Seq.lt(sndNxt, sndMax);
            // Segmentation offload: new data the windows allow two or more full segments of goes
            // out as one large segment, a multiple of the MSS, that the device cuts. Retransmissions
            // and segments carrying SACK blocks stay MSS-sized.
            int segments = 1;
            if (largeSegments && !resend && len == smss && segmentLimit == smss) {
                int room = Math.min(available, Math.min(windowRoom, cwndRoom));
                if (room >= 2 * smss) {
                    int largest = tcp.maxSegmentedPayload(remoteHigh, remoteLow) - TcpHeader.MIN_HEADER
                            - (tsOk ? 12 : 0);
                    int n = Math.min(room, largest) / smss;
                    if (n >= 2) {
                        segments = n;
                        len = n * smss;
                    }
                }
            }
            if (len < available && len < segmentLimit) {
                // Not a full segment and not the end of the data: sender SWS avoidance. Send only
                // with nothing in flight, or when the window is at least half the largest seen.
                if (len <= 0 || !(flight == 0 || len >= maxSndWnd / 2)) {
                    armPersistIfBlocked(windowRoom, available, now);
                    break;
                }
            } else if (len > 0 && len < segmentLimit && !noDelay && flight > 0 && !finPending && !resend) {
                break; // Nagle: a small tail waits while data is unacknowledged
            }
            boolean fin = finPending && sndNxt + len == finSeq() && (len > 0 || !finSent || resend);
            if (len == 0 && !fin) {
                armPersistIfBlocked(windowRoom, available, now);
                break;
            }
            int seq = sndNxt;
            int flags = ACK | (fin ? FIN : 0) | (len > 0 && seq + len == dataEnd ? PSH : 0);
            if (!sendSegment(seq, flags, seq - dataBase(), len, segments > 1 ? smss : 0, now)) {
                if (segments > 1) {
                    tcp.txOffloadNoBuffer.increment();
                    largeSegments = false; // no large buffer free: this round goes MSS-sized
                    continue;
                }
                break;
            }
            if (rackOn) {
                // Recorded as the segments the device sends, so loss recovery sees what it saw before.
                for (int k = 1; k < segments; k++) {
                    sentLog.sent(seq + (k - 1) * smss, seq + k * smss, now);
                }
                sentLog.sent(seq + (segments - 1) * smss, seq + len + (fin ? 1 : 0), now);
                tlpRestart |= !resend;
                prrOut += len;
            }
            if (resend) {
                retransmitted();
            } else if (!rttTiming && !tsOk && len > 0) {
                rttTiming = true;
                rttSeq = seq + len;
                rttStart = now;
            }
            sndNxt = seq + len + (fin ? 1 : 0);
            if (fin) {
                finSent = true;
            }
            if (Seq.gt(sndNxt, sndMax)) {
                sndMax = sndNxt;
            }
            if (rtoAt == Long.MAX_VALUE) {
                rtoAt = now + rtt.rto();
            }
            persistAt = Long.MAX_VALUE;
            if (fin) {
                break;
            }
        }
    }

    /** In recovery: retransmits the next lost segment if allowed; true when one was sent. */
    private boolean retransmitRecovery(int dataEnd, long now) {
        int start;
        int end;
        int segmentLimit = smss - sackSpace();
        if (retransmitHead) {
            start = sndUna;
            end = sndUna + segmentLimit;
            if (sackOk) {
                for (int i = 0; i < sacked.size(); i++) {
                    if (sacked.start(i) > 0) {
                        end = Seq.min(end, sndUna + sacked.start(i));
                        break;
                    }
                }
            }
        } else if (sackOk) {
            int boundary = lostBoundary();
            int off = Math.max(0, highRxt - sndUna);
            int holeEnd = -1;
            for (int i = 0; i < sacked.size() && off < boundary; i++) {
                if (sacked.end(i) <= off) {
                    continue;
                }
                if (sacked.start(i) <= off) {
                    off = sacked.end(i);
                    continue;
                }
                holeEnd = sacked.start(i);
                break;
            }
            if (off >= boundary) {
                return false;
            }
            if (holeEnd < 0) {
                holeEnd = boundary;
            }
            start = sndUna + off;
            end = sndUna + Math.min(holeEnd, off + segmentLimit);
            if (pipe() + (end - start) > cwnd) {
                return false;
            }
        } else {
            return false;
        }
        end = Seq.min(end, Seq.min(dataEnd, sndMax));
        int len = end - start;
        boolean fin = finSent && len >= 0 && start + len == finSeq() && Seq.lt(finSeq(), sndMax);
        if (len <= 0 && !fin) {
            retransmitHead = false;
            return false;
        }
        int flags = ACK | (fin ? FIN : 0);
        if (!sendSegment(start, flags, start - dataBase(), Math.max(len, 0), now)) {
            return false;
        }
        retransmitted();
        retransmitHead = false;
        highRxt = Seq.max(highRxt, start + Math.max(len, 0) + (fin ? 1 : 0));
        if (rtoAt == Long.MAX_VALUE) {
            rtoAt = now + rtt.rto();
        }
        return true;
    }

    private void armPersistIfBlocked(int windowRoom, int available, long now) {
        if (available > 0 && windowRoom <= 0 && sndUna == sndMax && persistAt == Long.MAX_VALUE
                && rtoAt == Long.MAX_VALUE) {
            persistAt = now + Math.min(MAX_PERSIST, rtt.rto() << Math.min(persistBackoff, 20));
        }
    }

    /** Option bytes SACK blocks take in our next segment: payload gives way to them (as Linux). */
    private int sackSpace() {
        if (!sackOk || outOfOrder == null || (outOfOrder.isEmpty() && !dsackPending)) {
            return 0;
        }
        return 4 + 8 * Math.min(outOfOrder.size() + (dsackPending ? 1 : 0), tsOk ? 3 : 4);
    }

    /** True when the application has read enough that the peer should hear the window opened. */
    private boolean windowUpdateDue() {
        int advertised = rcvAdv - rcvNxt;
        int free = receiveBuffer.capacity() - receiveBuffer.size();
        int threshold = Math.min(receiveBuffer.capacity() / 2, smss);
        return free - advertised >= threshold && advertised < receiveBuffer.capacity() / 2;
    }

    /** The window field to send, moving the advertised right edge by receiver SWS avoidance. */
    private int windowField() {
        if (receiveBuffer == null) {
            return Math.min(65_535, Math.max(0, rcvAdv - rcvNxt)) >>> rcvScale;
        }
        int free = receiveBuffer.capacity() - receiveBuffer.size();
        int candidate = rcvNxt + ((free >>> rcvScale) << rcvScale);
        int threshold = Math.min(receiveBuffer.capacity() / 2, smss);
        if (Seq.lt(rcvAdv, rcvNxt)) {
            rcvAdv = rcvNxt;
        }
        if (Seq.gt(candidate, rcvAdv) && candidate - rcvAdv >= threshold) {
            rcvAdv = candidate;
        }
        return Math.min(65_535, (rcvAdv - rcvNxt) >>> rcvScale);
    }

    private int tsNow(long now) {
        return (int) (now / 1_000_000L) + tsOffset;
    }

    /**
     * Builds and sends one segment: {@code len} bytes of the send buffer from {@code dataOffset}.
     * Returns false when no buffer was available (counted; the timers resend later).
     */
    private boolean sendSegment(int seq, int flags, int dataOffset, int len, long now) {
        return sendSegment(seq, flags, dataOffset, len, 0, now);
    }

    /**
     * As {@link #sendSegment(int, int, int, int, long)}; with {@code segmentSize} above 0, one
     * large segment for the device to cut at that many payload bytes, its checksum left partial
     * (the folded pseudo-header sum, as Linux leaves it for CHECKSUM_PARTIAL). Returns false,
     * counting nothing, when no large buffer is free.
     */
    private boolean sendSegment(int seq, int flags, int dataOffset, int len, int segmentSize, long now) {
        boolean syn = (flags & SYN) != 0;
        boolean synAck = syn && (flags & ACK) != 0;
        boolean offerTs = syn ? (synAck ? tsOk : config.timestamps()) : tsOk;
        boolean offerSack = syn && (synAck ? sackOk : config.sack());
        boolean offerWs = syn && (synAck ? wsOk : config.windowScaling());
        int sackBlocks = 0;
        boolean dsack = false;
        if (!syn && sackOk && (flags & (ACK | RST)) == ACK && outOfOrder != null) {
            dsack = dsackPending;
            sackBlocks = Math.min(outOfOrder.size() + (dsack ? 1 : 0), tsOk ? 3 : 4);
        }
        int optLen;
        if (syn) {
            optLen = 4 + (offerTs ? 12 : offerSack ? 4 : 0) + (offerWs ? 4 : 0);
        } else {
            optLen = (offerTs ? 12 : 0) + (sackBlocks > 0 ? 4 + 8 * sackBlocks : 0);
        }
        int hl = TcpHeader.MIN_HEADER + optLen;
        PacketBuffer b = segmentSize > 0 ? tcp.allocateSegmented(hl + len) : tcp.allocate(hl + len);
        if (b == null) {
            if (segmentSize == 0) {
                tcp.txNoBuffer.increment();
            }
            return false;
        }
        b.extend(len);
        if (len > 0) {
            sendBuffer.copyTo(dataOffset, b, 0, len);
        }
        b.prepend(hl);
        int window = syn ? Math.min(65_535, Math.max(0, rcvAdv - rcvNxt)) : windowField();
        int ackField = (flags & ACK) != 0 ? rcvNxt : 0;
        TcpHeader.writeFixed(b, localPort, remotePort, seq, ackField, hl, flags, window);
        int p = TcpHeader.MIN_HEADER;
        if (syn) {
            b.setU8(p, TcpHeader.OPT_MSS).setU8(p + 1, 4).setU16(p + 2, tcp.maxSegment(remoteHigh, remoteLow));
            p += 4;
            if (offerTs) {
                if (offerSack) {
                    b.setU8(p, TcpHeader.OPT_SACK_PERMITTED).setU8(p + 1, 2);
                } else {
                    b.setU8(p, TcpHeader.OPT_NOP).setU8(p + 1, TcpHeader.OPT_NOP);
                }
                p += 2;
                p = writeTimestamp(b, p, now);
            } else if (offerSack) {
                b.setU8(p, TcpHeader.OPT_NOP).setU8(p + 1, TcpHeader.OPT_NOP)
                        .setU8(p + 2, TcpHeader.OPT_SACK_PERMITTED).setU8(p + 3, 2);
                p += 4;
            }
            if (offerWs) {
                b.setU8(p, TcpHeader.OPT_NOP).setU8(p + 1, TcpHeader.OPT_WSCALE).setU8(p + 2, 3)
                        .setU8(p + 3, rcvScale);
                p += 4;
            }
        } else {
            if (offerTs) {
                b.setU8(p, TcpHeader.OPT_NOP).setU8(p + 1, TcpHeader.OPT_NOP);
                p = writeTimestamp(b, p + 2, now);
            }
            if (sackBlocks > 0) {
                b.setU8(p, TcpHeader.OPT_NOP).setU8(p + 1, TcpHeader.OPT_NOP).setU8(p + 2, TcpHeader.OPT_SACK)
                        .setU8(p + 3, 2 + 8 * sackBlocks);
                p += 4;
                int written = 0;
                if (dsack) {
                    b.setI32(p, dsackStart).setI32(p + 4, dsackEnd);
                    p += 8;
                    written++;
                    dsackPending = false;
                }
                int first = outOfOrder.mostRecent();
                if (first < 0) {
                    first = 0;
                }
                if (written < sackBlocks) {
                    p = writeSackBlock(b, p, first);
                    written++;
                }
                for (int i = 0; i < outOfOrder.size() && written < sackBlocks; i++) {
                    if (i != first) {
                        p = writeSackBlock(b, p, i);
                        written++;
                    }
                }
            }
        }
        int total = hl + len;
        if (segmentSize > 0) {
            b.setU16(16, InternetChecksum.fold(pseudoSum + total)); // the device sums the rest, per segment
        } else {
            long sum = pseudoSum + total + InternetChecksum.sum(b, 0, total);
            b.setU16(16, InternetChecksum.finish(sum));
        }
        if ((flags & ACK) != 0) {
            lastAckSent = rcvNxt;
            ackNow = false;
            segmentsUnacked = 0;
            delayedAckAt = Long.MAX_VALUE;
        }
        lastSendTime = now;
        if (segmentSize > 0) {
            tcp.txSegments.add((len + segmentSize - 1) / segmentSize);
            tcp.txOffloaded.increment();
            tcp.sendSegmented(this, b, segmentSize, now);
        } else {
            tcp.txSegments.increment();
            tcp.send(this, b, now);
        }
        return true;
    }

    private int writeTimestamp(PacketBuffer b, int p, long now) {
        b.setU8(p, TcpHeader.OPT_TIMESTAMP).setU8(p + 1, 10).setI32(p + 2, tsNow(now))
                .setI32(p + 6, tsOk ? tsRecent : 0);
        return p + 10;
    }

    private int writeSackBlock(PacketBuffer b, int p, int i) {
        b.setI32(p, rcvNxt + outOfOrder.start(i)).setI32(p + 4, rcvNxt + outOfOrder.end(i));
        return p + 8;
    }

    /** A segment without data at {@code seq}: ACKs, probes, resets. */
    private void sendControl(int seq, int flags, long now) {
        sendSegment(seq, flags, 0, 0, now);
    }

    /** A reset answering an unacceptable ACK: sequence number taken from it, no ACK. */
    private void sendControlTo(int seq, int flags, long now) {
        tcp.sendReset(localHigh, localLow, localPort, remoteHigh, remoteLow, remotePort, seq, 0, flags, now);
    }

    // =====================================================================================
    // State
    // =====================================================================================

    private void setState(State s) {
        State before = state;
        state = s;
        if (before != s) {
            notify = true;
            if (s.ordinal() >= State.ESTABLISHED.ordinal() && s != State.CLOSED) {
                wasEstablished = true;
            }
            tcp.stateChanged(this, before, s);
        }
    }

    private void fail(Failure why) {
        if (failure == Failure.NONE) {
            failure = why;
        }
        rtoAt = delayedAckAt = persistAt = keepAliveAt = closeAt = reorderAt = tlpAt = Long.MAX_VALUE;
        ackNow = false;
        setState(State.CLOSED);
    }

    /** At the end of a batch: sends the ACK deferred by {@link Tcp#ackLater}, unless one went out since. */
    boolean takeDeferredAck() {
        ackQueued = false;
        if (segmentsUnacked > 0 && state != State.CLOSED) {
            ackNow = true;
            return true;
        }
        return false;
    }

    /** Runs the observer if something changed since the last call. */
    void notifyObserver() {
        if (notify) {
            notify = false;
            if (observer != null) {
                observer.changed(this);
            }
        }
    }

    /** Fails a connection that could not even be opened (no route, no port, full table). */
    void failOpen(Failure why) {
        fail(why);
    }

    public long localHigh() {
        return localHigh;
    }

    public long localLow() {
        return localLow;
    }

    public int localPort() {
        return localPort;
    }

    public long remoteHigh() {
        return remoteHigh;
    }

    public long remoteLow() {
        return remoteLow;
    }

    public int remotePort() {
        return remotePort;
    }

    int tsRecentForReuse() {
        return tsRecent;
    }

    /** Congestion window in bytes, for tests and statistics. */
    public int congestionWindow() {
        return cwnd;
    }

    public int mss() {
        return smss;
    }

    public boolean sackEnabled() {
        return sackOk;
    }

    public boolean timestampsEnabled() {
        return tsOk;
    }

    public boolean windowScalingEnabled() {
        return wsOk;
    }

    public int sendWindowScale() {
        return sndScale;
    }

    public int receiveWindowScale() {
        return rcvScale;
    }

    /** The peer's current window in bytes. */
    public int sendWindow() {
        return sndWnd;
    }

    public long retransmissionTimeout() {
        return rtt.rto();
    }

    @Override
    public String toString() {
        return "TCP " + IpContext.address(localHigh, localLow) + ":" + localPort + " -> "
                + IpContext.address(remoteHigh, remoteLow) + ":" + remotePort + " " + state
                + (failure != Failure.NONE ? " (" + failure + ")" : "");
    }
}
