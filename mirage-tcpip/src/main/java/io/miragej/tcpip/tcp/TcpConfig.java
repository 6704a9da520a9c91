package io.miragej.tcpip.tcp;

/**
 * Settings and bounds of a TCP layer. Times in nanoseconds.
 *
 * @param sendBuffer bytes an application may have written and not yet acknowledged, per connection
 * @param receiveBuffer bytes received and not yet read, per connection: the largest window offered
 * @param noDelay true turns Nagle's algorithm off for new connections
 * @param sack offer and use selective acknowledgments (RFC 2018)
 * @param timestamps offer and use timestamps (RFC 7323)
 * @param windowScaling offer and use window scaling (RFC 7323)
 * @param delayedAck longest an acknowledgment is held back (RFC 1122 4.2.3.2 says under 500 ms)
 * @param timeWait how long a closed connection stays in TIME-WAIT (2 MSL)
 * @param finWait2 how long a connection closed by the application waits for the peer's FIN
 * @param keepAlive send keep-alive probes on idle connections (RFC 1122 4.2.3.6)
 * @param keepAliveIdle idle time before the first probe
 * @param keepAliveInterval time between unanswered probes
 * @param keepAliveProbes unanswered probes before the connection is given up
 * @param synRetries retransmissions of a SYN or SYN-ACK before giving up
 * @param retries retransmissions of data before giving up (Linux's tcp_retries2)
 * @param synBacklog half-open connections per listening port; a new SYN beyond replaces the oldest
 * @param maxConnections connections in all, TIME-WAIT included
 * @param maxTimeWait connections in TIME-WAIT; beyond, a closing connection skips it
 * @param rack RACK-TLP loss detection (RFC 8985) where the peer does SACK; off: RFC 6675's
 *     duplicate-ACK threshold, and tail losses wait for the retransmission timeout
 * @param congestion the congestion control algorithm: NewReno (RFC 5681, 6582) or CUBIC (RFC 9438)
 * @param hyStart HyStart++ (RFC 9406): leave the first slow start when the RTT rises, before a queue
 *     overflows
 */
public record TcpConfig(int sendBuffer, int receiveBuffer, boolean noDelay, boolean sack, boolean timestamps,
        boolean windowScaling, long delayedAck, long timeWait, long finWait2, boolean keepAlive, long keepAliveIdle,
        long keepAliveInterval, int keepAliveProbes, int synRetries, int retries, int synBacklog, int maxConnections,
        int maxTimeWait, boolean rack, CongestionControl.Kind congestion, boolean hyStart) {

    public TcpConfig {
        if (sendBuffer < 1 || receiveBuffer < 1 || receiveBuffer > (1 << 30) || delayedAck < 0 || timeWait < 0
                || finWait2 < 0 || keepAliveIdle <= 0 || keepAliveInterval <= 0 || keepAliveProbes < 1
                || synRetries < 0 || retries < 1 || synBacklog < 1 || maxConnections < 1 || maxTimeWait < 0
                || congestion == null) {
            throw new IllegalArgumentException("invalid TCP configuration: " + this);
        }
    }

    /**
     * 256 KiB buffers each way, Nagle on, SACK, timestamps and window scaling on, 40 ms delayed
     * ACKs, 60 s TIME-WAIT and FIN-WAIT-2, keep-alive off (2 h idle, 75 s interval, 9 probes when
     * on), 5 SYN and 15 data retransmissions, a SYN backlog of 128, 4,096 connections of which at
     * most 1,024 in TIME-WAIT, RACK-TLP, NewReno with HyStart++.
     */
    public static TcpConfig defaults() {
        return new TcpConfig(256 * 1024, 256 * 1024, false, true, true, true, 40_000_000L, 60_000_000_000L,
                60_000_000_000L, false, 7_200_000_000_000L, 75_000_000_000L, 9, 5, 15, 128, 4096, 1024, true,
                CongestionControl.Kind.NEW_RENO, true);
    }

    public TcpConfig withBuffers(int send, int receive) {
        return new TcpConfig(send, receive, noDelay, sack, timestamps, windowScaling, delayedAck, timeWait, finWait2,
                keepAlive, keepAliveIdle, keepAliveInterval, keepAliveProbes, synRetries, retries, synBacklog,
                maxConnections, maxTimeWait, rack, congestion, hyStart);
    }

    public TcpConfig withOptions(boolean sack, boolean timestamps, boolean windowScaling) {
        return new TcpConfig(sendBuffer, receiveBuffer, noDelay, sack, timestamps, windowScaling, delayedAck, timeWait,
                finWait2, keepAlive, keepAliveIdle, keepAliveInterval, keepAliveProbes, synRetries, retries,
                synBacklog, maxConnections, maxTimeWait, rack, congestion, hyStart);
    }

    public TcpConfig withNoDelay(boolean noDelay) {
        return new TcpConfig(sendBuffer, receiveBuffer, noDelay, sack, timestamps, windowScaling, delayedAck, timeWait,
                finWait2, keepAlive, keepAliveIdle, keepAliveInterval, keepAliveProbes, synRetries, retries,
                synBacklog, maxConnections, maxTimeWait, rack, congestion, hyStart);
    }

    public TcpConfig withKeepAlive(long idle, long interval, int probes) {
        return new TcpConfig(sendBuffer, receiveBuffer, noDelay, sack, timestamps, windowScaling, delayedAck, timeWait,
                finWait2, true, idle, interval, probes, synRetries, retries, synBacklog, maxConnections, maxTimeWait,
                rack, congestion, hyStart);
    }

    public TcpConfig withLimits(int synBacklog, int maxConnections, int maxTimeWait) {
        return new TcpConfig(sendBuffer, receiveBuffer, noDelay, sack, timestamps, windowScaling, delayedAck, timeWait,
                finWait2, keepAlive, keepAliveIdle, keepAliveInterval, keepAliveProbes, synRetries, retries,
                synBacklog, maxConnections, maxTimeWait, rack, congestion, hyStart);
    }

    public TcpConfig withTimeWait(long timeWait) {
        return new TcpConfig(sendBuffer, receiveBuffer, noDelay, sack, timestamps, windowScaling, delayedAck, timeWait,
                finWait2, keepAlive, keepAliveIdle, keepAliveInterval, keepAliveProbes, synRetries, retries,
                synBacklog, maxConnections, maxTimeWait, rack, congestion, hyStart);
    }

    public TcpConfig withRetries(int synRetries, int retries) {
        return new TcpConfig(sendBuffer, receiveBuffer, noDelay, sack, timestamps, windowScaling, delayedAck, timeWait,
                finWait2, keepAlive, keepAliveIdle, keepAliveInterval, keepAliveProbes, synRetries, retries,
                synBacklog, maxConnections, maxTimeWait, rack, congestion, hyStart);
    }

    /** RACK-TLP on or off (off: duplicate-ACK threshold only, tail losses wait for the RTO). */
    public TcpConfig withRack(boolean rack) {
        return new TcpConfig(sendBuffer, receiveBuffer, noDelay, sack, timestamps, windowScaling, delayedAck, timeWait,
                finWait2, keepAlive, keepAliveIdle, keepAliveInterval, keepAliveProbes, synRetries, retries,
                synBacklog, maxConnections, maxTimeWait, rack, congestion, hyStart);
    }

    /** HyStart++ on or off. */
    public TcpConfig withHyStart(boolean hyStart) {
        return new TcpConfig(sendBuffer, receiveBuffer, noDelay, sack, timestamps, windowScaling, delayedAck, timeWait,
                finWait2, keepAlive, keepAliveIdle, keepAliveInterval, keepAliveProbes, synRetries, retries, synBacklog,
                maxConnections, maxTimeWait, rack, congestion, hyStart);
    }

    /** The congestion control algorithm. */
    public TcpConfig withCongestion(CongestionControl.Kind congestion) {
        return new TcpConfig(sendBuffer, receiveBuffer, noDelay, sack, timestamps, windowScaling, delayedAck, timeWait,
                finWait2, keepAlive, keepAliveIdle, keepAliveInterval, keepAliveProbes, synRetries, retries,
                synBacklog, maxConnections, maxTimeWait, rack, congestion, hyStart);
    }

    /** Longest an acknowledgment is held back; 0 acknowledges every segment at once. */
    public TcpConfig withDelayedAck(long delayedAck) {
        return new TcpConfig(sendBuffer, receiveBuffer, noDelay, sack, timestamps, windowScaling, delayedAck, timeWait,
                finWait2, keepAlive, keepAliveIdle, keepAliveInterval, keepAliveProbes, synRetries, retries,
                synBacklog, maxConnections, maxTimeWait, rack, congestion, hyStart);
    }
}
