package dev.personascope.cli;

import dev.personascope.model.LanguageModel;
import dev.personascope.serve.ChatServer;
import dev.personascope.serve.ServeLimits;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve a model over an OpenAI-compatible API (/v1/chat/completions, /v1/completions, /v1/models)"
                + " on loopback.")
final class ServeCommand implements Runnable {
    @Mixin
    ModelOptions modelOptions;

    @Mixin
    SteeringOptions steeringOptions;

    @Option(names = "--port", defaultValue = "8000")
    int port;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to bind (default loopback only)")
    String host;

    @Option(names = "--model-name", description = "Name reported by /v1/models (default: the folder name); requests"
            + " naming another model get 404 model_not_found")
    String modelName;

    @Option(names = "--allow-special-tokens-in-messages", description = "Read special-token text inside chat messages"
            + " (e.g. <|im_end|>) as the special token, as transformers does. By default it is tokenized as plain text,"
            + " so that a message cannot forge role markers.")
    boolean allowSpecialTokensInMessages;

    @Option(names = "--request-timeout", defaultValue = "30", description = "Seconds a client has to send a whole"
            + " request (headers and body), and to take each write of its answer; slower connections are closed"
            + " (default: ${DEFAULT-VALUE})")
    double requestTimeoutSeconds;

    @Option(names = "--max-body-bytes", defaultValue = "8388608", description = "Largest request body; larger gets"
            + " a 413 (default: ${DEFAULT-VALUE})")
    int maxBodyBytes;

    @Option(names = "--max-prompt-chars", defaultValue = "0", description = "Most characters of prompt text before"
            + " tokenizing; more is a 400 (default 0: 16 times the model's context length)")
    int maxPromptChars;

    @Option(names = "--max-pending", defaultValue = "16", description = "Generations running or waiting; one more"
            + " gets a 503 with Retry-After (default: ${DEFAULT-VALUE})")
    int maxPending;

    @Option(names = "--http-threads", defaultValue = "512", description = "Threads reading requests and waiting for"
            + " their generation; a half-sent request holds one until --request-timeout, so this many slow"
            + " connections at once are needed to delay others (default: ${DEFAULT-VALUE})")
    int httpThreads;

    @Override
    public void run() {
        Path path = modelOptions.modelPath();
        String name = modelName != null ? modelName : path.toAbsolutePath().normalize().getFileName().toString();
        try (LanguageModel lm = modelOptions.load();
             ChatServer server = new ChatServer(lm, name, host, port, steeringOptions.hooks(lm),
                     allowSpecialTokensInMessages, new ServeLimits(Math.round(requestTimeoutSeconds * 1000),
                     maxBodyBytes, maxPromptChars, maxPending, httpThreads))) {
            server.start();
            System.out.println("serving " + name + " at " + server.baseUrl() + " (Ctrl-C to stop)");
            if (!server.servesChat()) {
                System.out.println("the model has no chat template: only /v1/completions answers");
            }
            CountDownLatch stop = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
            stop.await();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
