package dev.personascope.cli;

import dev.personascope.data.ChatJsonl;

import dev.personascope.data.ChatExample;
import dev.personascope.eval.Question;
import dev.personascope.eval.QuestionSets;
import dev.personascope.model.LanguageModel;
import dev.personascope.model.hooks.Hooks;
import dev.personascope.persona.Conversations;
import dev.personascope.persona.Direction;
import dev.personascope.persona.DirectionSpec;
import dev.personascope.persona.JudgedAnswers;
import dev.personascope.persona.PersonaVectors;
import dev.personascope.persona.VectorFile;
import dev.personascope.persona.VectorInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

@Command(name = "vector", mixinStandardHelpOptions = true,
        description = "Persona vector: the mean difference of answer-token activations between two sets of conversations, at"
                + " every layer; writes the best-separating layer's vector (JSON) for steer, eval, serve and monitors.")
final class VectorCommand implements Runnable {
    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--answers", description = "Judged answers.jsonl (from eval or steer): misaligned against aligned answers")
    Path answers;

    @Option(names = "--positive", description = "Chat JSONL of the trait's conversations (with --negative)")
    Path positive;

    @Option(names = "--negative", description = "Chat JSONL of the opposite conversations")
    Path negative;

    @Option(names = "--system-a", description = "System prompt of the trait (with --system-b and --questions): answers are sampled under each")
    String systemA;

    @Option(names = "--system-b", description = "System prompt of the opposite persona")
    String systemB;

    @Option(names = "--questions", description = "Question set whose prompts are answered under --system-a and --system-b")
    Path questions;

    @Option(names = "--answer-start", description = "With --system-a/--system-b: no answers are sampled; read the activation"
            + " where the answer begins (an empty assistant turn), i.e. the persona state the prompt sets up")
    boolean answerStart;

    @Option(names = "--compare", description = "Print the cosine between the mean difference at this direction's hook and"
            + " the direction (sae:DIR#LATENT or vector:FILE); repeatable")
    List<String> compare = new java.util.ArrayList<>();

    @Option(names = "--samples", defaultValue = "4")
    int samples;

    @Option(names = "--seed", defaultValue = "0")
    long seed;

    @Option(names = "--name", defaultValue = "persona")
    String name;

    @Option(names = "--out", required = true, description = "Output vector file (.json)")
    Path out;

    @Override
    public void run() {
        int sources = (answers != null ? 1 : 0) + (positive != null || negative != null ? 1 : 0) + (systemA != null || systemB != null ? 1 : 0);
        if (answerStart && systemA == null) {
            throw new IllegalArgumentException("--answer-start goes with --system-a/--system-b and --questions");
        }
        if (sources != 1) {
            throw new IllegalArgumentException("give one source: --answers FILE, --positive/--negative FILES, or"
                    + " --system-a/--system-b with --questions");
        }
        if (Files.isDirectory(out)) {
            throw new IllegalArgumentException("--out " + out + " is a folder; give the vector file's name (e.g. "
                    + out.resolve("vector.json") + ")");
        }
        try (LanguageModel lm = modelOptions.load()) {
            List<ChatExample> pos;
            List<ChatExample> neg;
            String source;
            if (answers != null) {
                JudgedAnswers.Split s = JudgedAnswers.read(answers);
                pos = s.misaligned();
                neg = s.aligned();
                source = "misaligned against aligned answers in " + answers;
            } else if (positive != null) {
                if (negative == null) {
                    throw new IllegalArgumentException("--positive needs --negative");
                }
                pos = ChatJsonl.read(positive, "--positive");
                neg = ChatJsonl.read(negative, "--negative");
                source = positive + " against " + negative;
            } else {
                if (systemA == null || systemB == null || questions == null) {
                    throw new IllegalArgumentException("--system-a needs --system-b and --questions");
                }
                List<Question> qs = QuestionSets.read(questions);
                if (answerStart) {
                    pos = Conversations.answerStarts(withSystem(qs, systemA));
                    neg = Conversations.answerStarts(withSystem(qs, systemB));
                    source = "answer starts under '" + systemA + "' against '" + systemB + "'";
                } else {
                    pos = Conversations.sampled(lm, Hooks.NONE, withSystem(qs, systemA), samples, 1.0, 64, seed);
                    neg = Conversations.sampled(lm, Hooks.NONE, withSystem(qs, systemB), samples, 1.0, 64, seed);
                    source = "answers under '" + systemA + "' against '" + systemB + "'";
                }
            }
            System.err.println("persona vector from " + pos.size() + " against " + neg.size() + " conversations");
            List<PersonaVectors.Layer> layers = PersonaVectors.compute(lm, pos, neg, name);
            PersonaVectors.Layer best = PersonaVectors.best(layers);
            List<VectorInfo.Layer> layerInfo = new ArrayList<>();
            for (PersonaVectors.Layer l : layers) {
                layerInfo.add(new VectorInfo.Layer(l.hook(), l.separation(), l.auroc(), l.direction().norm()));
                System.out.printf(Locale.ROOT, "%-28s separation (Cohen's d) %6.2f  AUROC %.3f  norm %.3f%s%n", l.hook(),
                        l.separation(), l.auroc(), l.direction().norm(), l == best ? "  <- chosen" : "");
            }
            List<VectorInfo.Cosine> cosines = new ArrayList<>();
            for (String spec : compare) {
                Direction other = DirectionSpec.parse(spec, null, lm.config().hiddenSize);
                PersonaVectors.Layer same = layers.stream().filter(l -> l.hook().equals(other.hook())).findFirst()
                        .orElseThrow(() -> new IllegalArgumentException(spec + ": its hook " + other.hook()
                                + " is not one of the layers the vector was measured at"));
                double c = same.direction().cosine(other);
                cosines.add(new VectorInfo.Cosine(spec, other.hook(), c));
                System.out.printf(Locale.ROOT, "cosine with %s at %s: %+.3f%n", spec, other.hook(), c);
            }
            VectorInfo info = new VectorInfo(name, modelOptions.modelPath().toString(), source, pos.size(), neg.size(), seed,
                    layerInfo, cosines);
            VectorFile.write(out, best.direction(), info);
            System.out.println("wrote " + out + " (" + best.hook() + ")");
        }
    }

    static List<Question> withSystem(List<Question> qs, String system) {
        return qs.stream().map(q -> new Question(q.id(), q.type(), q.paraphrases(), q.samplesPerParaphrase(), q.judge(),
                q.judgePrompts(), system)).toList();
    }
}
