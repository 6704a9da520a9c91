package io.miragej.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The hand-written key-name check agrees with the grammar it stands for. */
class KeyNameProperties {
    private static final Pattern GRAMMAR = Pattern.compile("[a-z][a-z0-9]*(-[a-z0-9]+)*");

    @Provide
    Arbitrary<String> nameLike() {
        return Arbitraries.strings().withChars("az09-_A.").ofMaxLength(12);
    }

    @Property(tries = 3000)
    void agreesWithTheGrammar(@ForAll("nameLike") String name) {
        assertEquals(GRAMMAR.matcher(name).matches(), Key.isKeyName(name), name);
    }

    @Property
    void agreesOnArbitraryText(@ForAll String name) {
        assertEquals(GRAMMAR.matcher(name).matches(), Key.isKeyName(name));
    }

    @Test
    void examples() {
        assertTrue(Key.isKeyName("ipv4-gateway"));
        assertTrue(Key.isKeyName("a1-b2-c3"));
        for (String bad : new String[] {"", "-a", "a-", "a--b", "1a", "Port", "a_b", "a b"}) {
            assertFalse(Key.isKeyName(bad), bad);
        }
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Key.string("Bad_Name", "x", "doc"));
        assertTrue(e.getMessage().startsWith("'Bad_Name' is not a key name"), e.getMessage());
    }
}
