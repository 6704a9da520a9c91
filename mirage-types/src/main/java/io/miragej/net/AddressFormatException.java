package io.miragej.net;

/**
 * Thrown by every address and prefix parser in this package, and only this, when text is not a
 * valid address. The message quotes the text and says what form is accepted.
 */
public final class AddressFormatException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public AddressFormatException(String text, String expected) {
        super("'" + printable(text) + "' is not " + expected);
    }

    /** Shows control characters and overly long input safely in messages. */
    private static String printable(String text) {
        StringBuilder b = new StringBuilder();
        int n = Math.min(text.length(), 80);
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                b.append(String.format("\\x%02x", (int) c));
            } else {
                b.append(c);
            }
        }
        if (text.length() > n) {
            b.append("...");
        }
        return b.toString();
    }
}
