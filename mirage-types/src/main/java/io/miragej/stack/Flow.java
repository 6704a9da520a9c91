package io.miragej.stack;

import io.miragej.net.Endpoint;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * A reliable, ordered, bidirectional byte stream, such as a TCP connection, with half-close.
 *
 * <p>Calls block in the style of {@link java.io}: run each flow on its own virtual thread. One
 * thread may read while another writes; two concurrent readers (or writers) are not supported.
 * Writes apply back-pressure: {@link #write} returns once the bytes are buffered, and waits while
 * the send buffer is full. {@link #shutdownOutput()} sends end-of-stream to the peer (TCP FIN)
 * while reading goes on; {@link #close()} ends both directions and frees the flow.
 */
public interface Flow extends AutoCloseable {
    /**
     * Reads up to {@code length} bytes into {@code buffer[offset...]}, waiting until at least one
     * byte or end-of-stream arrives.
     *
     * @return the number of bytes read, or -1 at end of stream
     * @throws IOException when the connection was reset or timed out
     */
    int read(byte[] buffer, int offset, int length) throws IOException;

    /** Writes all of {@code buffer[offset, offset+length)}, waiting for buffer space. */
    void write(byte[] buffer, int offset, int length) throws IOException;

    default void write(byte[] buffer) throws IOException {
        write(buffer, 0, buffer.length);
    }

    /** Waits until everything written so far has been handed to the network. */
    default void flush() throws IOException {}

    /** Ends this side's output: the peer reads end-of-stream once it has all bytes written. */
    void shutdownOutput() throws IOException;

    /** Closes both directions and frees the flow; idempotent. */
    @Override
    void close() throws IOException;

    Endpoint localEndpoint();

    Endpoint remoteEndpoint();

    /**
     * Copies everything this flow reads to {@code sink} until end-of-stream, then shuts down the
     * sink's output. {@code flow.transferTo(flow)} is an echo server.
     *
     * @return the number of bytes copied
     */
    default long transferTo(Flow sink) throws IOException {
        byte[] buffer = new byte[16 * 1024];
        long total = 0;
        int n;
        while ((n = read(buffer, 0, buffer.length)) >= 0) {
            sink.write(buffer, 0, n);
            total += n;
        }
        sink.shutdownOutput();
        return total;
    }

    /** This flow's reading side as a stream; closing the stream closes the flow. */
    default InputStream inputStream() {
        Flow flow = this;
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n;
                while ((n = flow.read(one, 0, 1)) == 0) {
                    Thread.onSpinWait();
                }
                return n < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                return flow.read(b, off, len);
            }

            @Override
            public void close() throws IOException {
                flow.close();
            }
        };
    }

    /** This flow's writing side as a stream; closing the stream shuts down output. */
    default OutputStream outputStream() {
        Flow flow = this;
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                flow.write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                flow.write(b, off, len);
            }

            @Override
            public void flush() throws IOException {
                flow.flush();
            }

            @Override
            public void close() throws IOException {
                flow.shutdownOutput();
            }
        };
    }
}
