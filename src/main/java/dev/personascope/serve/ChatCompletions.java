package dev.personascope.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.personascope.generate.Generation;
import dev.personascope.generate.Generator;
import dev.personascope.generate.SamplingParams;
import dev.personascope.generate.TokenLogprob;
import dev.personascope.util.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.List;
import java.util.UUID;


/** {@code POST /v1/chat/completions}: one answer object, or {@code chat.completion.chunk} events when streamed. */
final class ChatCompletions {
    private final ChatServer server;

    ChatCompletions(ChatServer server) {
        this.server = server;
    }

    void handle(HttpExchange ex, JsonNode body) throws IOException {
        server.checkPromptChars(body.get("messages"), "messages");
        ChatRequest req = ChatRequest.parse(body, server.defaultMaxTokens, server.modelName, server.lm.config().vocabSize);
        int[] prompt = server.promptEncoder.encode(req.messages, req.addGenerationPrompt, req.continueFinalMessage);
        SamplingParams p = server.fitContext(req.params, prompt.length, "messages", false);
        server.admit(ex);
        List<int[]> prompts = Collections.nCopies(req.n, prompt);
        Generator gen = new Generator(server.lm).withLogprobs(req.logprobs);
        String id = "chatcmpl-" + UUID.randomUUID().toString().replace("-", "");
        long created = System.currentTimeMillis() / 1000;
        if (!req.stream.stream()) {
            List<Generation> gens = server.generate(gen, prompts, p, null);
            ChatServer.send(ex, 200, answer(id, created, req, gens, prompt.length));
            return;
        }
        EventStream events = new EventStream(ex, req.stream.obfuscation());
        Stream listener = new Stream(events, id, created, req);
        try {
            for (int i = 0; i < req.n; i++) {
                ObjectNode delta = Json.MAPPER.createObjectNode();
                delta.put("role", "assistant");
                delta.put("content", "");
                delta.putNull("refusal");
                listener.chunk(i, delta, null, null);
            }
            List<Generation> gens = server.generate(gen, prompts, p, listener);
            events.finish(req.stream.includeUsage() ? listener.base() : null, ChatServer.usage(prompt.length, gens));
        } catch (UncheckedIOException e) {
            throw e;
        } catch (RuntimeException e) {
            events.sendError(e);
        }
    }

    private ObjectNode answer(String id, long created, ChatRequest req, List<Generation> gens, int promptTokens) {
        ObjectNode o = server.responseHeader(id, "chat.completion", created);
        ArrayNode choices = o.putArray("choices");
        for (int i = 0; i < gens.size(); i++) {
            Generation g = gens.get(i);
            ObjectNode c = choices.addObject();
            c.put("index", i);
            ObjectNode msg = c.putObject("message");
            msg.put("role", "assistant");
            msg.put("content", g.text());
            msg.putNull("refusal");
            if (req.logprobs) {
                c.set("logprobs", ChatServer.chatLogprobs(g.logprobs()));
            } else {
                c.putNull("logprobs");
            }
            c.put("finish_reason", g.finishReason());
        }
        o.set("usage", ChatServer.usage(promptTokens, gens));
        return o;
    }

    /** Turns generation events into chunks: text pieces with their tokens' logprobs, then the finish reason. */
    private final class Stream implements Generator.Listener {
        private final EventStream events;
        private final String id;
        private final long created;
        private final ChatRequest req;

        Stream(EventStream events, String id, long created, ChatRequest req) {
            this.events = events;
            this.id = id;
            this.created = created;
            this.req = req;
        }

        ObjectNode base() {
            return server.responseHeader(id, "chat.completion.chunk", created);
        }

        void chunk(int row, ObjectNode delta, TokenLogprob lp, String finishReason) {
            ObjectNode o = base();
            ObjectNode c = o.putArray("choices").addObject();
            c.put("index", row);
            c.set("delta", delta);
            if (lp != null) {
                c.set("logprobs", ChatServer.chatLogprobs(List.of(lp)));
            } else {
                c.putNull("logprobs");
            }
            if (finishReason == null) {
                c.putNull("finish_reason");
            } else {
                c.put("finish_reason", finishReason);
            }
            if (req.stream.includeUsage()) {
                o.putNull("usage");
            }
            events.send(o);
        }

        @Override
        public void token(int row, int tokenId, TokenLogprob lp, int textOffset, String text) {
            if (text.isEmpty() && lp == null) {
                return;
            }
            ObjectNode delta = Json.MAPPER.createObjectNode();
            delta.put("content", text);
            chunk(row, delta, req.logprobs ? lp : null, null);
        }

        @Override
        public void finished(int row, String text, String finishReason) {
            if (!text.isEmpty()) {
                ObjectNode delta = Json.MAPPER.createObjectNode();
                delta.put("content", text);
                chunk(row, delta, null, null);
            }
            chunk(row, Json.MAPPER.createObjectNode(), null, finishReason);
        }
    }
}
