package io.miragej.block.fat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;

class NamesProperties {
    /** Whatever the long name, its short alias is a valid 8.3 name, unused in the directory. */
    @Property(tries = 1000)
    void generatedShortNamesAreValidAndUnique(@ForAll @StringLength(min = 1, max = 40) String name,
            @ForAll @Size(max = 30) List<@StringLength(min = 1, max = 12) String> others) {
        Assume.that(Names.problem(name) == null);
        Set<String> taken = new HashSet<>();
        for (String o : others) {
            if (Names.problem(o) == null) {
                taken.add(new String(Names.generate(o, taken), StandardCharsets.US_ASCII));
            }
        }
        byte[] s = Names.generate(name, taken);
        assertEquals(11, s.length);
        String text = new String(s, StandardCharsets.US_ASCII);
        assertFalse(taken.contains(text), text + " is taken");
        assertTrue(s[0] != ' ', "the base is not empty");
        boolean padding = false;
        for (int i = 0; i < 11; i++) {
            if (i == 8) {
                padding = false;
            }
            char c = (char) s[i];
            if (c == ' ') {
                padding = true;
            } else {
                assertFalse(padding, "no character after padding in " + text);
                assertTrue(Names.validShortChar(c), "'" + c + "' in " + text);
            }
        }
    }

    /** An exact upper-case 8.3 name is its own short name; anything else is not. */
    @Property(tries = 500)
    void exactShortNamesAreRecognised(@ForAll @StringLength(min = 1, max = 14) String name) {
        byte[] exact = Names.exactShort(name);
        if (exact != null) {
            String shown = Names.display(java.util.Arrays.copyOf(exact, 32), 0);
            assertEquals(name, shown);
        }
    }
}
