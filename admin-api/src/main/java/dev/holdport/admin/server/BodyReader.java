package dev.holdport.admin.server;

import java.io.ByteArrayOutputStream;
import java.util.concurrent.CompletableFuture;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;

/**
 * Reads a request body without blocking a Jetty thread, refusing more than a limit: a declared
 * {@code Content-Length} over the limit is refused before a byte is read, a chunked body as soon
 * as it passes the limit.
 */
final class BodyReader implements Runnable {

    private final Request request;
    private final int limit;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();

    private BodyReader(Request request, int limit) {
        this.request = request;
        this.limit = limit;
    }

    /** Completes with the body, or exceptionally with an {@link ApiProblem} (413) or an I/O failure. */
    static CompletableFuture<byte[]> read(Request request, int limit) {
        long declared = request.getHeaders().getLongField(HttpHeader.CONTENT_LENGTH);
        if (declared > limit) {
            return CompletableFuture.failedFuture(ApiProblem.bodyTooLarge(limit));
        }
        BodyReader reader = new BodyReader(request, limit);
        reader.run();
        return reader.result;
    }

    @Override
    public void run() {
        while (true) {
            Content.Chunk chunk = request.read();
            if (chunk == null) {
                request.demand(this);
                return;
            }
            if (Content.Chunk.isFailure(chunk)) {
                // Jetty's idle timeout reaches a pending read as a TimeoutException: the client
                // stopped sending its body. That is the client's fault (408), not a drain that
                // did not answer (the handler's own TimeoutException, a 504).
                Throwable failure = chunk.getFailure();
                result.completeExceptionally(failure instanceof java.util.concurrent.TimeoutException
                        ? ApiProblem.bodyTimedOut() : failure);
                return;
            }
            try {
                java.nio.ByteBuffer buffer = chunk.getByteBuffer();
                int n = buffer.remaining();
                if (bytes.size() + n > limit) {
                    result.completeExceptionally(ApiProblem.bodyTooLarge(limit));
                    return;
                }
                byte[] part = new byte[n];
                buffer.get(part);
                bytes.write(part, 0, n);
                if (chunk.isLast()) {
                    result.complete(bytes.toByteArray());
                    return;
                }
            } finally {
                chunk.release();
            }
        }
    }
}
