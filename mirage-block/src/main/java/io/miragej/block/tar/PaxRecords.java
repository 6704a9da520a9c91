package io.miragej.block.tar;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** The records of a pax extended header (POSIX.1-2001, pax "Extended Header Records"): "LEN KEY=VALUE\n". */
final class PaxRecords {
    private PaxRecords() {}

    static Map<String, String> parse(byte[] data, long position) throws TarFormatException {
        Map<String, String> out = new HashMap<>();
        int i = 0;
        while (i < data.length) {
            if (data[i] == 0) {
                break; // padding some writers leave
            }
            int lenEnd = i;
            long len = 0;
            while (lenEnd < data.length && data[lenEnd] >= '0' && data[lenEnd] <= '9' && len < Integer.MAX_VALUE) {
                len = len * 10 + (data[lenEnd] - '0');
                lenEnd++;
            }
            if (lenEnd == i || lenEnd >= data.length || data[lenEnd] != ' ' || len < lenEnd - i + 3
                    || i + len > data.length || data[(int) (i + len - 1)] != '\n') {
                throw new TarFormatException("a malformed pax record in the extended header at byte " + position);
            }
            int recordEnd = (int) (i + len - 1);
            int eq = -1;
            for (int j = lenEnd + 1; j < recordEnd; j++) {
                if (data[j] == '=') {
                    eq = j;
                    break;
                }
            }
            if (eq < 0) {
                throw new TarFormatException("a pax record without '=' in the extended header at byte " + position);
            }
            String key = new String(data, lenEnd + 1, eq - lenEnd - 1, StandardCharsets.UTF_8);
            String value = new String(data, eq + 1, recordEnd - eq - 1, StandardCharsets.UTF_8);
            out.put(key, value);
            i = (int) (i + len);
        }
        return out;
    }
}
