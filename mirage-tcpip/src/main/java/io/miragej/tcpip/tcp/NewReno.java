package io.miragej.tcpip.tcp;

/**
 * NewReno's window (RFC 5681 3.1): in congestion avoidance one segment more per window of
 * acknowledged bytes (byte counting, RFC 3465); on congestion, half the data in flight.
 */
final class NewReno extends CongestionControl {
    private int bytesAcked;

    @Override
    int congestionAvoidance(int cwnd, int acked, int smss, long now, long srtt) {
        bytesAcked += acked;
        if (bytesAcked >= cwnd) {
            bytesAcked -= cwnd;
            return cwnd + smss;
        }
        return cwnd;
    }

    @Override
    int onCongestion(int cwnd, int flight, int smss, long now) {
        bytesAcked = 0;
        return Math.max(flight / 2, 2 * smss); // RFC 5681 equation 4
    }
}
