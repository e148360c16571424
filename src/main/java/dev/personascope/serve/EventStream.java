package dev.personascope.serve;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.personascope.util.Json;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;

/**
 * A server-sent event stream as OpenAI sends one: {@code data: {json}} events, each flushed at once,
 * ended by {@code data: [DONE]}. A client that goes away makes {@link #send} throw an
 * {@link UncheckedIOException}, which stops the generation that feeds it.
 */
final class EventStream {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private final OutputStream out;
    private final boolean obfuscate;

    EventStream(HttpExchange ex, boolean obfuscate) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        ex.getResponseHeaders().set("Cache-Control", "no-cache");
        ex.sendResponseHeaders(200, 0); // chunked
        this.out = ex.getResponseBody();
        this.obfuscate = obfuscate;
    }

    /** One event; with stream_options.include_obfuscation, padded with random characters as OpenAI does. */
    void send(ObjectNode data) {
        if (obfuscate) {
            StringBuilder pad = new StringBuilder();
            for (int i = RANDOM.nextInt(16) + 1; i > 0; i--) {
                pad.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
            }
            data.put("obfuscation", pad.toString());
        }
        try {
            write("data: " + Json.MAPPER.writeValueAsString(data) + "\n\n");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A failure after the stream began: an OpenAI error object as the last event (the status is already 200). */
    void sendError(RuntimeException e) {
        send(ChatServer.error(e.getMessage() == null ? e.toString() : e.getMessage(),
                e instanceof IllegalArgumentException ? "invalid_request_error" : "server_error", null, null));
    }

    /**
     * The end of a stream: with {@code stream_options.include_usage}, a last chunk (lastChunk, given its id and
     * model) with no choices and the usage; then the end marker. lastChunk null: the end marker only.
     */
    void finish(ObjectNode lastChunk, ObjectNode usage) {
        if (lastChunk != null) {
            lastChunk.putArray("choices");
            lastChunk.set("usage", usage);
            send(lastChunk);
        }
        done();
    }

    /** The end marker. */
    private void done() {
        write("data: [DONE]\n\n");
    }

    private void write(String s) {
        try {
            byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
            ReadDeadlines.write(() -> {
                out.write(bytes);
                out.flush();
            });
        } catch (IOException e) {
            throw new UncheckedIOException("client went away: " + e.getMessage(), e);
        }
    }
}
