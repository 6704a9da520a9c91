package io.miragej.testkit;

import java.nio.file.Path;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Gives a test a {@link Capture} parameter and, when the test fails, writes the capture to
 * {@code target/pcap/CLASS.METHOD.pcap} and names the file on standard error, so a failing
 * simulation leaves something to open in Wireshark.
 */
public final class PcapOnFailure implements ParameterResolver, TestWatcher {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(PcapOnFailure.class);

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext c) {
        return p.getParameter().getType() == Capture.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext c) {
        return c.getStore(NS).getOrComputeIfAbsent("capture", k -> new Capture(), Capture.class);
    }

    @Override
    public void testFailed(ExtensionContext c, Throwable cause) {
        Capture capture = c.getStore(NS).get("capture", Capture.class);
        if (capture == null) {
            return;
        }
        Path file = Path.of("target", "pcap",
                c.getRequiredTestClass().getSimpleName() + "." + c.getRequiredTestMethod().getName() + ".pcap");
        try {
            capture.pcap().saveTo(file);
            System.err.println("capture of the failed test (" + capture.pcap().frames() + " frames): "
                    + file.toAbsolutePath());
        } catch (Exception e) {
            System.err.println("could not save the capture of the failed test: " + e);
        }
    }
}
