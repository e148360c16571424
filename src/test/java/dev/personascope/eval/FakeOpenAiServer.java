package dev.personascope.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small OpenAI-compatible chat-completions server on 127.0.0.1 that answers from a script: status,
 * body, delay and headers chosen per request. It counts requests and the most that were in flight at once.
 */
public final class FakeOpenAiServer implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    public record Reply(int status, String body, long delayMs, Map<String, String> headers) {
        public static Reply ok(String body) {
            return new Reply(200, body, 0, Map.of());
        }

        public static Reply status(int status, String message) {
            ObjectNode o = JSON.createObjectNode();
            o.putObject("error").put("message", message).put("type", "test_error");
            return new Reply(status, o.toString(), 0, Map.of());
        }

        public Reply delayed(long ms) {
            return new Reply(status, body, ms, headers);
        }

        public Reply header(String name, String value) {
            Map<String, String> h = new LinkedHashMap<>(headers);
            h.put(name, value);
            return new Reply(status, body, delayMs, h);
        }
    }

    /** Chooses the reply to a request; {@code index} counts requests from 0. */
    @FunctionalInterface
    public interface Script {
        Reply reply(JsonNode request, int index) throws Exception;
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(32);
    private final Script script;
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();
    public final List<JsonNode> bodies = Collections.synchronizedList(new ArrayList<>());
    public final List<String> authorizations = Collections.synchronizedList(new ArrayList<>());

    public FakeOpenAiServer(Script script) throws IOException {
        this.script = script;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.setExecutor(executor);
        server.createContext("/v1/chat/completions", this::handle);
        server.start();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    public int requests() {
        return requests.get();
    }

    public int maxInFlight() {
        return maxInFlight.get();
    }

    private void handle(HttpExchange ex) throws IOException {
        int now = inFlight.incrementAndGet();
        maxInFlight.accumulateAndGet(now, Math::max);
        try {
            int index = requests.getAndIncrement();
            JsonNode body;
            try (InputStream in = ex.getRequestBody()) {
                body = JSON.readTree(in.readAllBytes());
            }
            bodies.add(body);
            authorizations.add(ex.getRequestHeaders().getFirst("Authorization"));
            Reply r;
            try {
                r = script.reply(body, index);
            } catch (Exception e) {
                r = Reply.status(500, "script failed: " + e);
            }
            if (r.delayMs() > 0) {
                Thread.sleep(r.delayMs());
            }
            byte[] bytes = r.body().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            r.headers().forEach((k, v) -> ex.getResponseHeaders().set(k, v));
            ex.sendResponseHeaders(r.status(), bytes.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // the client gave up (timeout): nothing to answer
        } finally {
            inFlight.decrementAndGet();
            ex.close();
        }
    }

    /** The prompt (the one user message) of a request. */
    public static String prompt(JsonNode request) {
        return request.path("messages").path(0).path("content").asText();
    }

    /** A chat completion whose first token's top logprobs are log(p) of the given probabilities. */
    public static String completion(Map<String, Double> topProbs) {
        ObjectNode o = JSON.createObjectNode();
        o.put("object", "chat.completion");
        ObjectNode c = o.putArray("choices").addObject();
        c.put("index", 0);
        String best = null;
        double bestP = -1;
        for (Map.Entry<String, Double> e : topProbs.entrySet()) {
            if (e.getValue() > bestP) {
                bestP = e.getValue();
                best = e.getKey();
            }
        }
        c.putObject("message").put("role", "assistant").put("content", best);
        ObjectNode tok = c.putObject("logprobs").putArray("content").addObject();
        tok.put("token", best);
        tok.put("logprob", Math.log(bestP));
        ArrayNode top = tok.putArray("top_logprobs");
        topProbs.forEach((k, p) -> top.addObject().put("token", k).put("logprob", Math.log(p)));
        c.put("finish_reason", "length");
        return o.toString();
    }

    /**
     * The assistant prefix a digit-scoring continuation asks about (the final assistant message's content), or
     * null for a plain request. A continuation without {@code continue_final_message true} and
     * {@code add_generation_prompt false} is an IllegalArgumentException, which the server answers with a 500.
     */
    public static String continuationPrefix(JsonNode request) {
        JsonNode messages = request.path("messages");
        JsonNode last = messages.path(messages.size() - 1);
        if (messages.size() < 2 || !last.path("role").asText().equals("assistant")) {
            return null;
        }
        if (!request.path("continue_final_message").asBoolean(false) || request.path("add_generation_prompt").asBoolean(true)) {
            throw new IllegalArgumentException("a final assistant message without continue_final_message");
        }
        return last.path("content").asText();
    }

    /** A chat completion of several tokens: position i is the most likely token of {@code positions.get(i)}. */
    public static String completion(List<Map<String, Double>> positions) {
        ObjectNode o = JSON.createObjectNode();
        o.put("object", "chat.completion");
        ObjectNode c = o.putArray("choices").addObject();
        c.put("index", 0);
        StringBuilder text = new StringBuilder();
        ArrayNode content = c.putObject("logprobs").putArray("content");
        for (Map<String, Double> topProbs : positions) {
            String best = null;
            double bestP = -1;
            for (Map.Entry<String, Double> e : topProbs.entrySet()) {
                if (e.getValue() > bestP) {
                    bestP = e.getValue();
                    best = e.getKey();
                }
            }
            text.append(best);
            ObjectNode tok = content.addObject();
            tok.put("token", best);
            tok.put("logprob", Math.log(bestP));
            ArrayNode top = tok.putArray("top_logprobs");
            topProbs.forEach((k, p) -> top.addObject().put("token", k).put("logprob", Math.log(p)));
        }
        c.putObject("message").put("role", "assistant").put("content", text.toString());
        c.put("finish_reason", "length");
        return o.toString();
    }

    /** A chat completion without logprobs (as servers that ignore the parameter answer). */
    public static String plain(String content) {
        ObjectNode o = JSON.createObjectNode();
        ObjectNode c = o.putArray("choices").addObject();
        c.put("index", 0);
        c.putObject("message").put("role", "assistant").put("content", content);
        c.putNull("logprobs");
        c.put("finish_reason", "length");
        return o.toString();
    }

    /** One token with probability 1. */
    public static String certain(String token) {
        return completion(Map.of(token, 1.0));
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
