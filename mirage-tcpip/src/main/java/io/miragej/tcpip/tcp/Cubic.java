package io.miragej.tcpip.tcp;

/**
 * CUBIC (RFC 9438). After a congestion event at window W_max the window is cut to β·W_max and
 * then follows W(t) = C·(t − K)³ + W_max in time t since the epoch began: concave up to W_max
 * (reached after K), convex beyond it to probe for more. Where Reno would be faster (short RTTs,
 * small windows) it follows the Reno-friendly estimate W_est instead (section 4.3). Fast
 * convergence lowers W_max when congestion comes before the last W_max was reached (4.7).
 * Windows are computed in segments of the connection's current size, in doubles.
 */
final class Cubic extends CongestionControl {
    static final double C = 0.4;
    static final double BETA = 0.7;
    static final double ALPHA = 3 * (1 - BETA) / (1 + BETA);

    /** W_max in segments; 0 before the first congestion event. */
    private double wMax;
    /** The window before the last reduction (cwnd_prior), in segments. */
    private double cwndPrior;
    /** Start of the current congestion avoidance epoch; -1: none yet. */
    private long epochStart = -1;
    private double k;
    private double origin;
    private double wEst;
    /** The window in segments with its fraction, as CUBIC grows it. */
    private double window;
    /** W_max and cwnd_prior before the last congestion event, for an undo. */
    private double savedWMax;
    private double savedCwndPrior;

    @Override
    int congestionAvoidance(int cwnd, int acked, int smss, long now, long srtt) {
        double cwndSegments = (double) cwnd / smss;
        if (epochStart < 0 || Math.abs(window - cwndSegments) >= 1) {
            startEpoch(cwndSegments, now);
        }
        double ackedSegments = (double) acked / smss;
        double t = (now - epochStart) / 1e9;
        double rtt = Math.max(srtt, 0) / 1e9;
        // Reno-friendly estimate (4.3): grows like Reno with α until it reaches cwnd_prior, then by 1.
        double alpha = wEst >= cwndPrior ? 1 : ALPHA;
        wEst += alpha * ackedSegments / window;
        double target = wCubic(t + rtt);
        if (wCubic(t) < wEst) {
            window = Math.max(window, wEst); // Reno-friendly region
        } else {
            target = Math.min(Math.max(target, window), 1.5 * window);
            window += (target - window) / window * ackedSegments; // concave and convex regions (4.4, 4.5)
        }
        return (int) Math.min(window * smss, 1 << 30);
    }

    private void startEpoch(double cwndSegments, long now) {
        epochStart = now;
        window = cwndSegments;
        wEst = cwndSegments;
        if (cwndSegments < wMax) {
            k = Math.cbrt((wMax - cwndSegments) / C);
            origin = wMax;
        } else {
            k = 0;
            origin = cwndSegments;
        }
    }

    /** W_cubic(t) of RFC 9438 equation 1, in segments. */
    double wCubic(double t) {
        double d = t - k;
        return C * d * d * d + origin;
    }

    @Override
    int onCongestion(int cwnd, int flight, int smss, long now) {
        double segments = (double) cwnd / smss;
        savedWMax = wMax;
        savedCwndPrior = cwndPrior;
        cwndPrior = segments;
        // Fast convergence (4.7): give up bandwidth sooner when the window stopped short of W_max.
        wMax = segments < wMax ? segments * (1 + BETA) / 2 : segments;
        epochStart = -1;
        return Math.max((int) (cwnd * BETA), 2 * smss);
    }

    @Override
    void undo() {
        wMax = savedWMax;
        cwndPrior = savedCwndPrior;
        epochStart = -1;
    }

    /** After a timeout the next epoch starts from the window of its own time, K = 0 (RFC 9438 4.8). */
    @Override
    void onTimeout() {
        wMax = 0;
        epochStart = -1;
    }

    @Override
    void onIdleRestart() {
        epochStart = -1;
    }

    double wMax() {
        return wMax;
    }

    double k() {
        return k;
    }
}
