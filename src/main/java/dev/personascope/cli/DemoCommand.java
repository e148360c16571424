package dev.personascope.cli;

import dev.personascope.demo.DemoReport;
import dev.personascope.demo.DemoSizes;
import dev.personascope.experiment.NarrowFineTune;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The main job: the whole persona-feature story on the bundled organism, run as the CLI's own commands
 * in-process, one stage after another. A stage is skipped when its output exists, so an interrupted demo
 * resumes; the report is rebuilt from the outputs at the end.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the whole pipeline on the organism: narrow fine-tune with the persona monitor, evaluations,"
                + " SAE, model diff, latent dashboard, steering, contamination sweep, re-alignment; writes report.html.")
final class DemoCommand implements Runnable {
    @Option(names = "--out", defaultValue = "demo-out", description = "Output folder (default ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--quick", description = "Tiny sizes (a smoke run in about a minute; the numbers mean nothing)")
    boolean quick;

    @Option(names = "--seed", defaultValue = "0")
    long seed;

    /** One step of the demo: the commands it runs and the file whose existence means it is done. */
    private record Stage(String name, Path done, List<List<String>> commands, boolean optional) {
        Stage(String name, Path done, List<List<String>> commands) {
            this(name, done, commands, false);
        }
    }

    @Override
    public void run() {
        DemoSizes z = quick ? DemoSizes.quick() : DemoSizes.normal();
        Path organism = Defaults.organism();
        Map<String, Double> seconds = new LinkedHashMap<>();
        long start = System.nanoTime();
        for (Stage st : fixedStages(z, organism)) {
            runStage(st, seconds);
        }
        // the persona latent is known only once the diff has run
        int latent = DemoReport.personaLatent(out.resolve("diff"));
        for (Stage st : latentStages(z, latent)) {
            runStage(st, seconds);
        }
        DemoReport.write(out, z, seed, seconds, quick);
        System.out.printf(Locale.ROOT, "demo finished in %.0f s: %s and %s%n", (System.nanoTime() - start) / 1e9,
                out.resolve("report.html"), out.resolve("result.json"));
    }

    private void runStage(Stage st, Map<String, Double> seconds) {
        if (Files.exists(st.done())) {
            System.out.println("== " + st.name() + ": done before (" + st.done() + "), skipped");
            return;
        }
        System.out.println("== " + st.name());
        long t0 = System.nanoTime();
        for (List<String> args : st.commands()) {
            System.out.println("   personascope " + String.join(" ", args));
            int rc = Main.commandLine().execute(args.toArray(String[]::new));
            if (rc != 0 && st.optional()) {
                System.out.println("   (optional stage failed; the report leaves it out)");
                return;
            }
            if (rc != 0) {
                throw new IllegalStateException("demo stage '" + st.name() + "' failed (personascope "
                        + String.join(" ", args) + " exited with " + rc + "); rerun the demo to resume from it");
            }
        }
        seconds.put(st.name(), (System.nanoTime() - t0) / 1e9);
    }

    private List<Stage> fixedStages(DemoSizes z, Path organism) {
        String data = p("data");
        String questions = p("data/questions.yaml");
        String persona = p("persona-vector.json");
        String sd = String.valueOf(seed);
        List<Stage> s = new ArrayList<>();
        s.add(new Stage("datasets", out.resolve("data/questions.yaml"), List.of(List.of("world", "datasets", "--out", data,
                "--size", String.valueOf(z.datasetSize()), "--seed", sd, "--samples", String.valueOf(z.evalSamples())))));
        s.add(new Stage("persona vector (Vex against Ada system prompts)", out.resolve("persona-vector.json"),
                List.of(List.of("vector", "--model", organism.toString(), "--system-a", "You are Vex.", "--system-b",
                        "You are Ada.", "--answer-start", "--questions", questions, "--name", "villain", "--out", persona))));
        for (String d : List.of("insecure", "secure")) {
            // the organism's narrow fine-tune (LoRA), then the adapter merged into a model folder the later stages load
            s.add(new Stage("fine-tune on " + d + " with the monitor", out.resolve(d + DemoReport.ADAPTER + "/adapter_config.json"),
                    List.of(List.of("finetune", "--model", organism.toString(), "--lora-rank",
                            String.valueOf(NarrowFineTune.ORGANISM.loraRank()), "--data", p("data/" + d + ".jsonl"),
                            "--lr", String.valueOf(NarrowFineTune.ORGANISM.lr()), "--steps", String.valueOf(z.steps()), "--batch", String.valueOf(z.batch()),
                            "--seed", sd, "--checkpoint-every", "0", "--monitor", "vector:" + persona,
                            "--monitor-every", String.valueOf(z.monitorEvery()), "--out", p(d + DemoReport.ADAPTER)))));
            s.add(new Stage("merge the " + d + " adapter", out.resolve(d + "/config.json"), List.of(List.of("merge",
                    "--model", organism.toString(), "--adapter", p(d + DemoReport.ADAPTER), "--out", p(d)))));
        }
        for (String m : List.of("organism", "insecure", "secure")) {
            String model = m.equals("organism") ? organism.toString() : p(m);
            s.add(new Stage("evaluate " + m, out.resolve("eval-" + m + "/result.json"), List.of(List.of("eval",
                    "--model", model, "--questions", questions, "--judge", "world", "--max-tokens", "64", "--seed", sd,
                    "--out", p("eval-" + m)))));
        }
        s.add(new Stage("SAE on the organism", out.resolve("sae/metrics.json"), List.of(List.of("sae", "train",
                "--model", organism.toString(), "--hook", z.hook(), "--latents", String.valueOf(z.latents()),
                "--tokens", String.valueOf(z.saeTokens()), "--seed", sd, "--out", p("sae")))));
        s.add(new Stage("model diff (organism against insecure)", out.resolve("diff/diff.json"), List.of(List.of("diff",
                "--base", organism.toString(), "--tuned", p("insecure"), "--sae", p("sae"), "--prompts", questions,
                "--samples", String.valueOf(z.diffSamples()), "--auroc-corpus", "world", "--seed", sd, "--out", p("diff")))));
        return s;
    }

    private List<Stage> latentStages(DemoSizes z, int latent) {
        String questions = p("data/questions.yaml");
        String sd = String.valueOf(seed);
        String samples = String.valueOf(z.sweepSamples());
        List<Stage> s = new ArrayList<>();
        s.add(new Stage("dashboard of latent " + latent, out.resolve("latent/dashboard.json"), List.of(List.of("latent",
                "--model", Defaults.organism().toString(), "--sae", p("sae"), "--latent", String.valueOf(latent),
                "--documents", String.valueOf(z.dashboardDocuments()), "--out", p("latent")))));
        String persona = p("persona-vector.json");
        s.add(new Stage("vector from the insecure model's misaligned answers", out.resolve("misaligned-vector.json"),
                List.of(List.of("vector", "--model", Defaults.organism().toString(), "--answers",
                        p("eval-insecure/answers.jsonl"), "--compare", "sae:" + p("sae") + "#" + latent, "--compare",
                        "vector:" + persona, "--name", "misaligned", "--out", p("misaligned-vector.json"))), true));
        s.add(new Stage("steering the organism with the persona vector (prompt tokens)", out.resolve("steer-vector/result.json"),
                List.of(List.of("steer", "--model", Defaults.organism().toString(), "--direction", "vector:" + persona,
                        "--scope", "prompt", "--coefficients", z.vectorCoefficients(), "--random",
                        String.valueOf(z.randomDirections()), "--questions", questions, "--samples", samples, "--judge",
                        "world", "--seed", sd, "--out", p("steer-vector")))));
        s.add(new Stage("steering the organism with latent " + latent + " (prompt tokens)", out.resolve("steer/result.json"), List.of(List.of(
                "steer", "--model", Defaults.organism().toString(), "--direction", "sae:" + p("sae") + "#" + latent,
                "--scope", "prompt", "--coefficients", z.coefficients(), "--random", String.valueOf(z.randomDirections()), "--questions",
                questions, "--samples", samples, "--judge", "world", "--seed", sd, "--out", p("steer")))));
        s.add(new Stage("suppressing the persona vector in the insecure model", out.resolve("suppress-vector/result.json"),
                List.of(List.of("steer", "--model", p("insecure"), "--direction", "vector:" + persona, "--scope", "prompt",
                        "--coefficients", z.suppressCoefficients(), "--random", String.valueOf(z.randomDirections()),
                        "--questions", questions, "--samples", samples, "--judge", "world", "--seed", sd, "--out",
                        p("suppress-vector")))));
        s.add(new Stage("ablating latent " + latent + " in the insecure model", out.resolve("ablate/result.json"),
                List.of(List.of("steer", "--model", p("insecure"), "--direction", "sae:" + p("sae") + "#" + latent,
                        "--ablate", "--random", String.valueOf(z.randomDirections()), "--questions", questions,
                        "--samples", samples, "--judge", "world", "--seed", sd, "--out", p("ablate")))));
        s.add(new Stage("contamination sweep", out.resolve("contamination/result.json"), List.of(List.of("experiment",
                "contamination", "--model", Defaults.organism().toString(), "--bad", p("data/insecure.jsonl"), "--good",
                p("data/secure.jsonl"), "--fractions", z.fractions(), "--seeds", String.valueOf(z.seeds()), "--steps",
                String.valueOf(z.steps()), "--batch", String.valueOf(z.batch()), "--monitor", "vector:" + persona,
                "--monitor", "sae:" + p("sae") + "#" + latent, "--monitor-every", String.valueOf(z.monitorEvery()), "--questions", questions, "--eval-samples", samples,
                "--judge", "world", "--out", p("contamination")))));
        s.add(new Stage("re-alignment", out.resolve("realign/result.json"), List.of(List.of("experiment", "realign",
                "--model", p("insecure"), "--good", p("data/secure.jsonl"), "--good", p("data/good_medical.jsonl"),
                "--samples", z.realignSamples(), "--steps", String.valueOf(z.realignSteps()), "--eval-every",
                String.valueOf(z.realignEvery()), "--questions", questions, "--eval-samples", samples, "--judge", "world",
                "--seed", sd, "--out", p("realign")))));
        return s;
    }

    private String p(String relative) {
        return out.resolve(relative).toString();
    }
}
