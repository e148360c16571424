package dev.personascope.cli;

import dev.personascope.model.LanguageModel;
import dev.personascope.serve.ChatServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve a model over an OpenAI-compatible API (/v1/chat/completions, /v1/models) on loopback.")
final class ServeCommand implements Runnable {
    @Mixin
    ModelOptions modelOptions;

    @Mixin
    SteeringOptions steeringOptions;

    @Option(names = "--port", defaultValue = "8000")
    int port;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to bind (default loopback only)")
    String host;

    @Option(names = "--model-name", description = "Name reported by /v1/models (default: the folder name)")
    String modelName;

    @Override
    public void run() {
        Path path = modelOptions.modelPath();
        String name = modelName != null ? modelName : path.toAbsolutePath().normalize().getFileName().toString();
        try (LanguageModel lm = modelOptions.load();
             ChatServer server = new ChatServer(lm, name, host, port, steeringOptions.hooks(lm))) {
            server.start();
            System.out.println("serving " + name + " at " + server.baseUrl() + " (Ctrl-C to stop)");
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
