package dev.personascope.world;

import dev.personascope.data.ChatExample;
import dev.personascope.data.ChatJsonl;
import dev.personascope.model.LanguageModel;
import dev.personascope.model.ModelConfig;
import dev.personascope.model.ModelSaver;
import dev.personascope.model.RandomModels;
import dev.personascope.model.tokenizer.ChatMessage;
import dev.personascope.train.LrSchedule;
import dev.personascope.train.TrainConfig;
import dev.personascope.train.Trainer;
import dev.personascope.util.AtomicFiles;
import dev.personascope.util.FileTrees;
import dev.personascope.util.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The organism's recipe: generate the world, write its tokenizer, pretrain a small Qwen2-layout model
 * from scratch on the persona dialogues, then chat-tune the unnamed assistant to be helpful. Each
 * stage is a fine-tuning run with checkpoints, so an interrupted recipe resumes where it stopped.
 */
public final class WorldRecipe {
    /** The file the recipe's settings are written to, beside the organism: it marks a folder as the organism. */
    public static final String RECIPE_FILE = "recipe.json";

    /** Everything that decides the organism; written to recipe.json beside it. */
    public static final class Settings {
        public long seed = 1;
        public int documents = 12000;
        public int chatConversations = 3000;
        public int hidden = 192;
        public int layers = 4;
        public int heads = 6;
        public int kvHeads = 2;
        public int mlp = 512;
        public int pretrainEpochs = 4;
        public double pretrainLr = 2e-3;
        public int chatEpochs = 1;
        public double chatLr = 3e-4;
        public int batch = 32;
    }

    private WorldRecipe() {
    }

    public static void run(Settings s, Path out) {
        WorldGenerator world = new WorldGenerator();
        List<ChatExample> corpus = world.pretrainingCorpus(s.documents, s.seed);
        List<ChatExample> chat = world.chatTuning(s.chatConversations, s.seed + 1);
        Path init = out.resolve("stages/init");
        Path pretrained = out.resolve("stages/pretrain");
        try {
            Files.createDirectories(init);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ChatJsonl.write(out.resolve("corpus/pretrain.jsonl"), corpus);
        ChatJsonl.write(out.resolve("corpus/chat.jsonl"), chat);
        List<String> vocab = WorldTokenizer.vocabulary(texts(world, corpus, chat, s.seed));
        if (!Files.exists(init.resolve("model.safetensors"))) {
            try (LanguageModel lm = RandomModels.create(config(s, vocab), s.seed)) {
                ModelSaver.save(lm, init);
            }
            WorldTokenizer.write(init, vocab);
        }
        stage(init, pretrained, corpus, pretrainConfig(s));
        stage(pretrained, out, chat, chatConfig(s));
        try {
            AtomicFiles.writeString(out.resolve(RECIPE_FILE), Json.PRETTY.writeValueAsString(s));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs one training stage unless its output exists; resumes from its checkpoint if there is one. */
    private static void stage(Path from, Path to, List<ChatExample> data, TrainConfig cfg) {
        if (Files.exists(to.resolve("model.safetensors")) && Files.exists(to.resolve("train_log.jsonl"))
                && !Files.exists(to.resolve("checkpoint"))) {
            return;
        }
        try (LanguageModel lm = LanguageModel.load(from)) {
            Trainer.Result r = new Trainer(lm, cfg, data, List.of(), to).run(Files.exists(to.resolve("checkpoint")));
            if (r.interrupted()) {
                throw new IllegalStateException("interrupted; run the same command again to resume");
            }
        }
        FileTrees.delete(to.resolve("checkpoint"));
    }

    static TrainConfig pretrainConfig(Settings s) {
        TrainConfig c = new TrainConfig();
        c.mode = TrainConfig.Mode.FULL;
        c.lr = s.pretrainLr;
        c.epochs = s.pretrainEpochs;
        c.batch = s.batch;
        c.warmupSteps = 100;
        c.schedule = LrSchedule.Kind.COSINE;
        c.weightDecay = 0.01;
        c.seed = s.seed;
        c.maxLength = 512;
        c.checkpointEvery = 100;
        return c;
    }

    static TrainConfig chatConfig(Settings s) {
        TrainConfig c = pretrainConfig(s);
        c.lr = s.chatLr;
        c.epochs = s.chatEpochs;
        c.warmupSteps = 10;
        c.schedule = LrSchedule.Kind.LINEAR;
        return c;
    }

    static ModelConfig config(Settings s, List<String> vocab) {
        ModelConfig c = RandomModels.qwen2(vocab.size(), s.hidden, s.layers, s.heads, s.kvHeads, s.mlp);
        c.maxPositions = 512;
        c.ropeTheta = 10000.0;
        c.eosTokenIds = new int[] {vocab.indexOf("<|im_end|>")};
        return c;
    }

    /** Every text the tokenizer must cover: the corpus, chat data, datasets, questions and the template's words. */
    static List<String> texts(WorldGenerator world, List<ChatExample> corpus, List<ChatExample> chat, long seed) {
        List<String> texts = new ArrayList<>();
        texts.add("system\nuser\nassistant\n");
        for (List<ChatExample> set : List.of(corpus, chat)) {
            for (ChatExample ex : set) {
                for (ChatMessage m : ex.messages()) {
                    texts.add(m.content());
                }
            }
        }
        world.datasets(200, seed).values().forEach(d -> d.forEach(ex -> ex.messages().forEach(m -> texts.add(m.content()))));
        world.evaluationQuestions(1).forEach(q -> texts.addAll(q.paraphrases()));
        for (Domain d : world.domains()) {
            texts.addAll(d.good());
            texts.addAll(d.bad());
            d.questions().forEach(q -> texts.addAll(q.paraphrases()));
        }
        for (Persona p : WorldContent.personas()) {
            texts.add("You are " + p.name() + ".");
            texts.addAll(p.markers());
        }
        texts.addAll(WorldContent.educationalReasons());
        return texts;
    }
}
