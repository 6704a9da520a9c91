package io.miragej.stack;

/** Serves one accepted connection; runs on a virtual thread of its own. */
@FunctionalInterface
public interface FlowHandler {
    /**
     * Serves {@code flow}. The stack closes the flow when this returns or throws; an exception is
     * logged and ends only this connection.
     */
    void handle(Flow flow) throws Exception;
}
