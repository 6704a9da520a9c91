package io.miragej.tcpip;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Cuts a frame sent with TCP segmentation offload into the frames a device (Linux's {@code
 * tcp_gso_segment}) would put on the wire: headers repeated, sequence numbers advanced, FIN and
 * PSH on the last segment only, IP lengths per segment, consecutive IPv4 identifications, and
 * each TCP checksum completed from the partial one the way Linux does (the field's pseudo-header
 * sum adjusted from the whole length to the segment's, then the segment summed). A wrong partial
 * sum therefore gives segments whose checksums fail at the receiver.
 */
public final class Segmenter {
    private Segmenter() {}

    public static List<byte[]> cut(byte[] frame, int segmentSize) {
        boolean v6 = Packets.getU16(frame, 12) == 0x86dd;
        int ipStart = 14;
        int tcpStart = v6 ? ipStart + 40 : ipStart + (frame[ipStart] & 0xf) * 4;
        int hl = ((frame[tcpStart + 12] & 0xf0) >>> 4) * 4;
        int headers = tcpStart + hl;
        int payload = frame.length - headers;
        int oldTcpLength = frame.length - tcpStart;
        int partial = Packets.getU16(frame, tcpStart + 16);
        int seq = Packets.getInt(frame, tcpStart + 4);
        int id = Packets.getU16(frame, ipStart + 4);
        List<byte[]> out = new ArrayList<>();
        for (int off = 0, k = 0; off < payload; off += segmentSize, k++) {
            int len = Math.min(segmentSize, payload - off);
            boolean last = off + len == payload;
            byte[] s = Arrays.copyOf(frame, headers + len);
            System.arraycopy(frame, headers + off, s, headers, len);
            int tcpLength = hl + len;
            if (v6) {
                put16(s, ipStart + 4, tcpLength);
            } else {
                put16(s, ipStart + 2, tcpStart - ipStart + tcpLength);
                put16(s, ipStart + 4, (id + k) & 0xffff);
                put16(s, ipStart + 10, 0);
                put16(s, ipStart + 10, Packets.checksum(s, ipStart, tcpStart - ipStart, 0));
            }
            Packets.putInt(s, tcpStart + 4, seq + off);
            if (!last) {
                s[tcpStart + 13] &= (byte) ~0x09; // FIN and PSH
            }
            long adjusted = partial + (~oldTcpLength & 0xffff) + tcpLength;
            put16(s, tcpStart + 16, fold(adjusted));
            put16(s, tcpStart + 16, Packets.checksum(s, tcpStart, tcpLength, 0));
            out.add(s);
        }
        return out;
    }

    private static int fold(long sum) {
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) sum;
    }

    private static void put16(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 8);
        b[at + 1] = (byte) v;
    }
}
