package dev.holdport.admin.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Errors Jetty answers itself (a malformed request line, headers too large, a failure before the
 * API handler runs) as problem+json too, never as Jetty's HTML page or with a stack trace.
 */
final class ProblemErrorHandler extends ErrorHandler {

    ProblemErrorHandler() {
        setShowStacks(false);
        setShowCauses(false);
    }

    /**
     * Every method gets the problem body: Jetty's default gives one only to GET, POST and HEAD, so
     * a DELETE refused while the API stops (a cancel) got an empty 503.
     */
    @Override
    public boolean errorPageForMethod(String method) {
        return true;
    }

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
            Callback callback) {
        // No instance: for a malformed request Jetty has replaced the path with a placeholder.
        ProblemResponse.write(response, callback, problem(code, message), null);
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(HttpHeader.CONTENT_TYPE, ProblemResponse.CONTENT_TYPE);
        try {
            return ByteBuffer.wrap(JsonResponse.MAPPER.writeValueAsBytes(ProblemResponse.body(problem(status, reason), null)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serialises", e);
        }
    }

    private static ApiProblem problem(int status, String message) {
        if (status == 503) {
            // Jetty answers 503 itself only while the server stops (AdminServer.stop).
            return ApiProblem.shuttingDown("holdport is shutting down: the admin API takes no new requests");
        }
        String title = HttpStatus.getMessage(status);
        // Jetty's own messages for 4xx describe the request ("Bad Request Line"); for 5xx they
        // may describe internals, so those stay generic.
        String detail = status < 500 && message != null && !message.isBlank() ? message : title;
        return ApiProblem.ofStatus(status, title, detail);
    }
}
