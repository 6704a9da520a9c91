package io.miragej.platform;

/**
 * A configuration key given a value it does not accept, an unknown key, or a required key left
 * out. The message names the key, what was given and what is accepted; the launcher prints it
 * and exits with status 2 before the application starts.
 */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }
}
