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
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * An OpenAI-compatible HTTP server for one model: {@code GET /v1/models}, {@code POST /v1/chat/completions}
 * and {@code POST /v1/completions}, streamed (server-sent events) or not, with temperature, top_p,
 * max_tokens, seed, n, stop, presence and frequency penalties, logit_bias and logprobs. Requests are
 * answered one generation at a time. Bad requests get a 400 with OpenAI's error body, naming the field;
 * a model other than the served one gets OpenAI's 404 {@code model_not_found}.
 */
public final class ChatServer implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_BODY = 8 << 20;

    final LanguageModel lm;
    final String modelName;
    final Supplier<Hooks> hooks;
    final int defaultMaxTokens;
    final ChatPromptEncoder promptEncoder;
    private final Object modelLock = new Object();
    private final HttpServer server;
    private final ExecutorService executor;
    private final ChatCompletions chat;
    private final TextCompletions completions;

    public ChatServer(LanguageModel lm, String modelName, String host, int port, Supplier<Hooks> hooks) throws IOException {
        this(lm, modelName, host, port, hooks, false);
    }

    /**
     * @param allowSpecialTokensInMessages read special-token text inside chat messages (e.g. {@code <|im_end|>})
     *                                     as the special token, as transformers does; by default it is plain text
     */
    public ChatServer(LanguageModel lm, String modelName, String host, int port, Supplier<Hooks> hooks,
                      boolean allowSpecialTokensInMessages) throws IOException {
        if (!lm.hasTokenizer()) {
            throw new IllegalArgumentException(lm.source() + ": the model has no tokenizer, so it cannot be served");
        }
        this.lm = lm;
        this.modelName = modelName;
        this.hooks = hooks;
        this.defaultMaxTokens = Math.max(16, Math.min(512, lm.config().maxPositions / 2));
        this.promptEncoder = new ChatPromptEncoder(lm, allowSpecialTokensInMessages);
        this.chat = new ChatCompletions(this);
        this.completions = new TextCompletions(this);
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

    /** Whether the model has a chat template (without one only /v1/completions works). */
    public boolean servesChat() {
        return lm.chatTemplate() != null;
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
                    chat.handle(ex, readJson(ex));
                }
                case "/v1/completions" -> {
                    requireMethod(method, "POST");
                    completions.handle(ex, readJson(ex));
                }
                default -> throw new ApiError(404, "no route " + method + " " + path
                        + " (available: GET /v1/models, POST /v1/chat/completions, POST /v1/completions)", null);
            }
        } catch (ApiError e) {
            send(ex, e.status, error(e.getMessage(), e.type, e.param, e.code));
        } catch (IllegalArgumentException e) {
            send(ex, 400, error(e.getMessage(), "invalid_request_error", null, null));
        } catch (UncheckedIOException e) {
            // the client went away while its answer streamed: nothing to tell it
        } catch (RuntimeException e) {
            send(ex, 500, error("internal error: " + e, "server_error", null, null));
        } finally {
            ex.close();
        }
    }

    /** Runs a generation; one at a time, since they share the model. */
    List<Generation> generate(Generator gen, List<int[]> prompts, SamplingParams p, Generator.Listener listener) {
        synchronized (modelLock) {
            return gen.generate(prompts, p, hooks.get(), listener);
        }
    }

    /** max_tokens cut to the room the context leaves after the longest prompt; 400 if there is none. */
    SamplingParams fitContext(SamplingParams p, int longestPrompt, String param, boolean allowZero) {
        int room = lm.config().maxPositions - longestPrompt;
        if (room < (allowZero ? 0 : 1)) {
            throw ApiError.badRequest("the prompt has " + longestPrompt + " tokens, the model's context is "
                    + lm.config().maxPositions, param);
        }
        return p.maxNewTokens() > room ? p.withMaxNewTokens(room) : p;
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

    /** A chat-format logprob entry: token, logprob, UTF-8 bytes of the token text. */
    static ObjectNode entry(ObjectNode e, String token, double logprob) {
        e.put("token", token);
        e.put("logprob", logprob);
        ArrayNode bytes = e.putArray("bytes");
        for (byte b : token.getBytes(StandardCharsets.UTF_8)) {
            bytes.add(b & 0xff);
        }
        return e;
    }

    /** The chat-format logprobs object for some tokens. */
    static ObjectNode chatLogprobs(List<TokenLogprob> tokens) {
        ObjectNode lp = JSON.createObjectNode();
        ArrayNode content = lp.putArray("content");
        for (TokenLogprob t : tokens) {
            ObjectNode e = entry(content.addObject(), t.token(), t.logprob());
            ArrayNode top = e.putArray("top_logprobs");
            for (TokenLogprob.Alternative a : t.top()) {
                entry(top.addObject(), a.token(), a.logprob());
            }
        }
        lp.putNull("refusal");
        return lp;
    }

    static ObjectNode usage(int prompt, int completion) {
        ObjectNode usage = JSON.createObjectNode();
        usage.put("prompt_tokens", prompt);
        usage.put("completion_tokens", completion);
        usage.put("total_tokens", prompt + completion);
        return usage;
    }

    static ObjectNode error(String message, String type, String param, String code) {
        ObjectNode o = JSON.createObjectNode();
        ObjectNode e = o.putObject("error");
        e.put("message", message);
        e.put("type", type);
        if (param == null) {
            e.putNull("param");
        } else {
            e.put("param", param);
        }
        if (code == null) {
            e.putNull("code");
        } else {
            e.put("code", code);
        }
        return o;
    }

    static void send(HttpExchange ex, int status, JsonNode body) throws IOException {
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
        promptEncoder.close();
    }
}
