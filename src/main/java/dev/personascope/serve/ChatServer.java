package dev.personascope.serve;

import com.fasterxml.jackson.databind.JsonNode;
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
import dev.personascope.util.Json;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * An OpenAI-compatible HTTP server for one model: {@code GET /v1/models}, {@code POST /v1/chat/completions}
 * and {@code POST /v1/completions}, streamed (server-sent events) or not, with temperature, top_p,
 * max_tokens, seed, n, stop, presence and frequency penalties, logit_bias and logprobs. Requests are
 * answered one generation at a time. Bad requests get a 400 with OpenAI's error body, naming the field;
 * a model other than the served one gets OpenAI's 404 {@code model_not_found}.
 */
public final class ChatServer implements AutoCloseable {

    final LanguageModel lm;
    final String modelName;
    final Supplier<Hooks> hooks;
    final int defaultMaxTokens;
    final ChatPromptEncoder promptEncoder;
    /** The generation slot of the exchange this thread handles (not an exchange attribute: JDK 17 shares those). */
    private final ThreadLocal<Slot> slot = new ThreadLocal<>();
    final ServeLimits limits;
    final int maxPromptChars;
    private final Object modelLock = new Object();
    private final AtomicInteger pending = new AtomicInteger();
    private final HttpServer server;
    private final ReadDeadlines executor;
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
        this(lm, modelName, host, port, hooks, allowSpecialTokensInMessages, ServeLimits.DEFAULT);
    }

    /** @param limits read deadline, body and prompt caps, pending generations, threads */
    public ChatServer(LanguageModel lm, String modelName, String host, int port, Supplier<Hooks> hooks,
                      boolean allowSpecialTokensInMessages, ServeLimits limits) throws IOException {
        if (!lm.hasTokenizer()) {
            throw new IllegalArgumentException(lm.source() + ": the model has no tokenizer, so it cannot be served");
        }
        this.lm = lm;
        this.modelName = modelName;
        this.hooks = hooks;
        this.limits = limits;
        this.maxPromptChars = limits.promptChars(lm.config().maxPositions);
        this.defaultMaxTokens = Math.max(16, Math.min(512, lm.config().maxPositions / 2));
        this.promptEncoder = new ChatPromptEncoder(lm, allowSpecialTokensInMessages);
        this.chat = new ChatCompletions(this);
        this.completions = new TextCompletions(this);
        this.server = HttpServer.create(new InetSocketAddress(host, port), 64);
        this.executor = new ReadDeadlines(limits.connectionThreads(), limits.requestTimeoutMillis());
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
                    readEmptyBody(ex);
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
            if (e.retryAfterSeconds > 0) {
                ex.getResponseHeaders().set("Retry-After", Integer.toString(e.retryAfterSeconds));
            }
            if (e.status == 413) {
                ex.getResponseHeaders().set("Connection", "close");
            }
            send(ex, e.status, error(e.getMessage(), e.type, e.param, e.code));
        } catch (IllegalArgumentException e) {
            send(ex, 400, error(e.getMessage(), "invalid_request_error", null, null));
        } catch (UncheckedIOException e) {
            // the client went away while its answer streamed: nothing to tell it
        } catch (RuntimeException e) {
            send(ex, 500, error("internal error: " + e, "server_error", null, null));
        } finally {
            Slot taken = slot.get();
            if (taken != null) {
                slot.remove();
                taken.close();
            }
            ex.close();
        }
    }

    /**
     * A place among the pending generations (running or waiting for the model), taken before a response starts;
     * 503 {@code server_error} with Retry-After when they are all taken.
     */
    void admit(HttpExchange ex) {
        if (!reserve()) {
            throw new ApiError(503, "the server is overloaded: " + limits.maxPendingGenerations()
                    + " generations are already running or waiting; retry later", null, "server_error", "overloaded", 1);
        }
        slot.set(new Slot());
    }

    /** Takes a place among the pending generations, if one is free. */
    boolean reserve() {
        if (pending.incrementAndGet() > limits.maxPendingGenerations()) {
            pending.decrementAndGet();
            return false;
        }
        return true;
    }

    void release() {
        pending.decrementAndGet();
    }

    final class Slot implements AutoCloseable {
        private boolean closed;

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                release();
            }
        }
    }

    /** 400 when prompt text (all strings under {@code node}) is longer than the cap, before any tokenizing. */
    void checkPromptChars(JsonNode node, String param) {
        long chars = textChars(node, 0);
        if (chars > maxPromptChars) {
            throw ApiError.badRequest("the prompt has " + chars + " characters, more than the " + maxPromptChars
                    + " allowed (the model's context is " + lm.config().maxPositions + " tokens)", param);
        }
    }

    private long textChars(JsonNode node, long sum) {
        if (node == null) {
            return sum;
        }
        if (node.isTextual()) {
            return sum + node.textValue().length();
        }
        for (JsonNode child : node) {
            sum = textChars(child, sum);
            if (sum > maxPromptChars) {
                return sum;
            }
        }
        return sum;
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

    private void readEmptyBody(HttpExchange ex) throws IOException {
        readBody(ex);
    }

    /**
     * Reads the whole body, at most {@code maxBodyBytes} (413 past it, by Content-Length before reading), within the
     * exchange's read deadline; only then is the request handled.
     */
    private byte[] readBody(HttpExchange ex) throws IOException {
        int max = limits.maxBodyBytes();
        String length = ex.getRequestHeaders().getFirst("Content-Length");
        if (length != null && length.trim().length() > 0) {
            long declared;
            try {
                declared = Long.parseLong(length.trim());
            } catch (NumberFormatException e) {
                declared = -1;
            }
            if (declared > max) {
                throw tooLarge(max);
            }
        }
        byte[] body;
        try (InputStream in = ex.getRequestBody()) {
            body = in.readNBytes(max + 1);
        }
        if (body.length > max) {
            throw tooLarge(max);
        }
        ReadDeadlines.requestRead();
        return body;
    }

    private static ApiError tooLarge(int max) {
        return new ApiError(413, "request body larger than " + max + " bytes", null, "invalid_request_error",
                "request_too_large");
    }

    private JsonNode readJson(HttpExchange ex) throws IOException {
        return parseJson(readBody(ex));
    }

    /**
     * A request body as JSON; a 400 if it is not. Jackson guesses the encoding from the first bytes, and a body
     * that looks like UTF-32 but is not fails with a CharConversionException (an IOException, not a
     * JacksonException): a 400 as well, not a 500 (found by RequestBodyFuzzTest).
     */
    static JsonNode parseJson(byte[] body) {
        try {
            return Json.MAPPER.readTree(body);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw ApiError.badRequest("request body is not valid JSON: " + e.getOriginalMessage(), null);
        } catch (IOException e) {
            throw ApiError.badRequest("request body is not valid JSON: " + e.getMessage(), null);
        }
    }

    private ObjectNode models() {
        ObjectNode o = Json.MAPPER.createObjectNode();
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
        ObjectNode lp = Json.MAPPER.createObjectNode();
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

    /** The fields every completion object and chunk starts with: id, object kind, created, model, fingerprint. */
    ObjectNode responseHeader(String id, String object, long created) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("id", id);
        o.put("object", object);
        o.put("created", created);
        o.put("model", modelName);
        o.putNull("system_fingerprint");
        return o;
    }

    /** The usage object for a prompt and the generations it gave. */
    static ObjectNode usage(int prompt, List<Generation> gens) {
        int completion = 0;
        for (Generation g : gens) {
            completion += g.tokenIds().length;
        }
        return usage(prompt, completion);
    }

    static ObjectNode usage(int prompt, int completion) {
        ObjectNode usage = Json.MAPPER.createObjectNode();
        usage.put("prompt_tokens", prompt);
        usage.put("completion_tokens", completion);
        usage.put("total_tokens", prompt + completion);
        return usage;
    }

    static ObjectNode error(String message, String type, String param, String code) {
        ObjectNode o = Json.MAPPER.createObjectNode();
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
        byte[] bytes = Json.MAPPER.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            ReadDeadlines.write(() -> out.write(bytes));
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        promptEncoder.close();
    }
}
