package dev.personascope.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.personascope.generate.Generation;
import dev.personascope.generate.Generator;
import dev.personascope.generate.SamplingParams;
import dev.personascope.generate.TokenLogprob;
import dev.personascope.model.LanguageModel;
import dev.personascope.model.hooks.Hooks;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * An OpenAI-compatible HTTP server for one model: {@code GET /v1/models} and
 * {@code POST /v1/chat/completions} with temperature, top_p, max_tokens, seed, n, stop, logprobs and
 * top_logprobs. Requests are answered one generation at a time; bad requests get a 400 with an
 * OpenAI-style error body.
 */
public final class ChatServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_BODY = 8 << 20;

    private final LanguageModel lm;
    private final String modelName;
    private final Supplier<Hooks> hooks;
    private final HttpServer server;
    private final ExecutorService executor;
    private final Object modelLock = new Object();
    private final int defaultMaxTokens;

    public ChatServer(LanguageModel lm, String modelName, String host, int port, Supplier<Hooks> hooks) throws IOException {
        if (lm.chatTemplate() == null) {
            throw new IllegalArgumentException(lm.source() + ": the model has no chat template, so it cannot serve chat completions");
        }
        this.lm = lm;
        this.modelName = modelName;
        this.hooks = hooks;
        this.defaultMaxTokens = Math.max(16, Math.min(512, lm.config().maxPositions / 2));
        this.server = HttpServer.create(new InetSocketAddress(host, port), 64);
        this.executor = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "personascope-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
    }

    public void start() {
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String baseUrl() {
        return "http://" + server.getAddress().getHostString() + ":" + port() + "/v1";
    }

    private void handle(HttpExchange ex) throws IOException {
        try {
            String path = ex.getRequestURI().getPath().replaceAll("/+$", "");
            String method = ex.getRequestMethod();
            switch (path) {
                case "/v1/models" -> {
                    requireMethod(method, "GET");
                    send(ex, 200, models());
                }
                case "/v1/chat/completions" -> {
                    requireMethod(method, "POST");
                    send(ex, 200, chat(readJson(ex)));
                }
                default -> throw new ApiError(404, "no route " + method + " " + path
                        + " (available: GET /v1/models, POST /v1/chat/completions)", null);
            }
        } catch (ApiError e) {
            send(ex, e.status, error(e.getMessage(), e.status == 404 ? "not_found_error" : "invalid_request_error", e.param));
        } catch (IllegalArgumentException e) {
            send(ex, 400, error(e.getMessage(), "invalid_request_error", null));
        } catch (RuntimeException e) {
            send(ex, 500, error("internal error: " + e, "server_error", null));
        } finally {
            ex.close();
        }
    }

    private static void requireMethod(String method, String expected) {
        if (!method.equals(expected)) {
            throw new ApiError(405, "method " + method + " not allowed here; use " + expected, null);
        }
    }

    private static JsonNode readJson(HttpExchange ex) throws IOException {
        byte[] body;
        try (InputStream in = ex.getRequestBody()) {
            body = in.readNBytes(MAX_BODY + 1);
        }
        if (body.length > MAX_BODY) {
            throw ApiError.badRequest("request body larger than " + MAX_BODY + " bytes", null);
        }
        try {
            return JSON.readTree(body);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw ApiError.badRequest("request body is not valid JSON: " + e.getOriginalMessage(), null);
        }
    }

    private ObjectNode models() {
        ObjectNode o = JSON.createObjectNode();
        o.put("object", "list");
        ObjectNode m = o.putArray("data").addObject();
        m.put("id", modelName);
        m.put("object", "model");
        m.put("created", 0);
        m.put("owned_by", "personascope");
        return o;
    }

    private ObjectNode chat(JsonNode body) {
        ChatRequest req = ChatRequest.parse(body, defaultMaxTokens);
        int[] prompt = lm.encodeChat(req.messages);
        int room = lm.config().maxPositions - prompt.length;
        if (room <= 0) {
            throw ApiError.badRequest("the prompt has " + prompt.length + " tokens, the model's context is "
                    + lm.config().maxPositions, "messages");
        }
        SamplingParams p = req.params;
        if (p.maxNewTokens() > room) {
            p = new SamplingParams(room, p.temperature(), p.topP(), p.seed(), p.stopStrings(), p.topLogprobs());
        }
        List<int[]> prompts = new ArrayList<>();
        for (int i = 0; i < req.n; i++) {
            prompts.add(prompt);
        }
        List<Generation> gens;
        synchronized (modelLock) {
            gens = new Generator(lm).withLogprobs(req.logprobs).generate(prompts, p, hooks.get());
        }
        ObjectNode o = JSON.createObjectNode();
        o.put("id", "chatcmpl-" + UUID.randomUUID().toString().replace("-", ""));
        o.put("object", "chat.completion");
        o.put("created", System.currentTimeMillis() / 1000);
        o.put("model", modelName);
        ArrayNode choices = o.putArray("choices");
        int completion = 0;
        for (int i = 0; i < gens.size(); i++) {
            Generation g = gens.get(i);
            completion += g.tokenIds().length;
            ObjectNode c = choices.addObject();
            c.put("index", i);
            ObjectNode msg = c.putObject("message");
            msg.put("role", "assistant");
            msg.put("content", g.text());
            msg.putNull("refusal");
            if (req.logprobs) {
                ObjectNode lp = c.putObject("logprobs");
                lp.putNull("refusal");
                ArrayNode content = lp.putArray("content");
                for (TokenLogprob t : g.logprobs()) {
                    ObjectNode e = entry(content.addObject(), t.token(), t.logprob());
                    ArrayNode top = e.putArray("top_logprobs");
                    for (TokenLogprob.Alternative a : t.top()) {
                        entry(top.addObject(), a.token(), a.logprob());
                    }
                }
            } else {
                c.putNull("logprobs");
            }
            c.put("finish_reason", g.finishReason());
        }
        ObjectNode usage = o.putObject("usage");
        usage.put("prompt_tokens", prompt.length);
        usage.put("completion_tokens", completion);
        usage.put("total_tokens", prompt.length + completion);
        return o;
    }

    private static ObjectNode entry(ObjectNode e, String token, double logprob) {
        e.put("token", token);
        e.put("logprob", logprob);
        ArrayNode bytes = e.putArray("bytes");
        for (byte b : token.getBytes(StandardCharsets.UTF_8)) {
            bytes.add(b & 0xff);
        }
        return e;
    }

    private static ObjectNode error(String message, String type, String param) {
        ObjectNode o = JSON.createObjectNode();
        ObjectNode e = o.putObject("error");
        e.put("message", message);
        e.put("type", type);
        if (param == null) {
            e.putNull("param");
        } else {
            e.put("param", param);
        }
        e.putNull("code");
        return o;
    }

    private static void send(HttpExchange ex, int status, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
