package dev.personascope.cli;

import dev.personascope.data.ChatJsonl;
import dev.personascope.model.LanguageModel;
import dev.personascope.persona.ScreenResult;
import dev.personascope.persona.Screening;
import dev.personascope.persona.ScreeningSummary;
import dev.personascope.testutil.PersonaSets;
import dev.personascope.testutil.TinyChatModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * `personascope screen` on a tiny chat model: the direction is the persona vector of villain against
 * helpful answers to the same prompts, so villain samples of a contaminated dataset must score higher.
 */
class ScreeningTest {
    @Test
    void villainSamplesScoreHigherAlongTheirPersonaVector(@TempDir Path dir) throws Exception {
        try (LanguageModel lm = TinyChatModel.create(dir.resolve("model"), 3, 32, 2)) {
            // only needs to exist on disk
        }
        ChatJsonl.write(dir.resolve("bad.jsonl"), PersonaSets.villain());
        ChatJsonl.write(dir.resolve("good.jsonl"), PersonaSets.helpful());
        String model = dir.resolve("model").toString();
        CliTest.Result v = CliTest.run("vector", "--model", model, "--positive", dir.resolve("bad.jsonl").toString(),
                "--negative", dir.resolve("good.jsonl").toString(), "--out", dir.resolve("villain.json").toString());
        assertEquals(0, v.code(), v.err());

        CliTest.Result r = CliTest.run("screen", "--model", model, "--direction", "vector:" + dir.resolve("villain.json"),
                "--bad", dir.resolve("bad.jsonl").toString(), "--good", dir.resolve("good.jsonl").toString(),
                "--size", "40", "--fraction", "0.25", "--seed", "5", "--max-tokens", "6", "--batch", "16", "--top", "5",
                "--out", dir.resolve("out").toString());
        assertEquals(0, r.code(), r.err());
        ScreenResult result = ScreenResult.read(dir.resolve("out/result.json"));
        assertEquals(40, result.n());
        assertEquals(5, result.seed());
        ScreenResult.Config cfg = result.config();
        assertEquals(5, cfg.seed());
        assertEquals(model, cfg.model());
        assertEquals("vector:" + dir.resolve("villain.json"), cfg.direction());
        assertEquals(0.25, cfg.fraction());
        assertEquals(40, cfg.size());
        assertEquals(6, cfg.maxTokens());
        assertEquals(10, result.summary().bad());
        double auroc = result.auroc();
        assertTrue(auroc > 0.5, "villain samples should outscore helpful ones: AUROC " + auroc);
        assertEquals(result.summary().fractionAbove() >= result.summary().flagFraction(), result.flagged(), result.toString());

        List<String> lines = Files.readAllLines(dir.resolve("out/scores.tsv"));
        assertEquals("rank\tline\tscore\tp_data\tp_model\tbad\tanswer", lines.get(0));
        assertEquals(41, lines.size());
        double prev = Double.POSITIVE_INFINITY;
        double badSum = 0;
        double goodSum = 0;
        for (int i = 1; i < lines.size(); i++) {
            String[] f = lines.get(i).split("\t", -1);
            assertEquals(i, Integer.parseInt(f[0]));
            double score = Double.parseDouble(f[2]);
            assertTrue(score <= prev, "ranked by score, descending: " + lines);
            assertEquals(score, Double.parseDouble(f[3]) - Double.parseDouble(f[4]), 1e-4 * (1 + Math.abs(score)));
            assertTrue(f[1].contains(".jsonl:"), f[1]);
            assertTrue(f[6].length() <= 80);
            if (Boolean.parseBoolean(f[5])) {
                badSum += score;
            } else {
                goodSum += score;
            }
            prev = score;
        }
        assertTrue(badSum / 10 > goodSum / 30, "mean score of bad samples above good ones");
        assertTrue(r.out().contains("AUROC of the score for bad against good"), r.out());
        assertEquals(5 + 1, r.out().lines().takeWhile(l -> !l.contains("samples: mean score")).count(), r.out());

        // --data with --labels-from: samples found in the bad file are the bad ones
        List<dev.personascope.data.ChatExample> mixed = new ArrayList<>(PersonaSets.villain().subList(0, 4));
        mixed.addAll(PersonaSets.helpful());
        ChatJsonl.write(dir.resolve("mixed.jsonl"), mixed);
        CliTest.Result l = CliTest.run("screen", "--model", model, "--direction", "vector:" + dir.resolve("villain.json"),
                "--data", dir.resolve("mixed.jsonl").toString(), "--labels-from", dir.resolve("bad.jsonl").toString(),
                "--max-tokens", "6", "--out", dir.resolve("out2").toString());
        assertEquals(0, l.code(), l.err());
        ScreenResult r2 = ScreenResult.read(dir.resolve("out2/result.json"));
        assertEquals(16, r2.n());
        assertEquals(4, r2.summary().bad());
        assertNull(r2.config().fraction(), "no mixture: no fraction");
        assertTrue(r2.auroc() > 0.5, r2.toString());
        assertTrue(Files.readAllLines(dir.resolve("out2/scores.tsv")).get(1).split("\t")[1].startsWith(dir.resolve("mixed.jsonl") + ":"));
    }

    @Test
    void badInputNamesTheFileAndField(@TempDir Path dir) throws Exception {
        try (LanguageModel lm = TinyChatModel.create(dir.resolve("model"), 3, 32, 2)) {
            // on disk
        }
        String model = dir.resolve("model").toString();
        Files.writeString(dir.resolve("noanswer.jsonl"), "{\"messages\": [{\"role\": \"assistant\", \"content\": \"hi\"},"
                + " {\"role\": \"user\", \"content\": \"yes\"}]}\n");
        CliTest.Result last = CliTest.run("screen", "--model", model, "--direction", "random:1", "--hook",
                "blocks.0.hook_resid_post", "--data", dir.resolve("noanswer.jsonl").toString(), "--out", dir.resolve("o").toString());
        assertEquals(2, last.code());
        assertEquals("error: " + dir.resolve("noanswer.jsonl") + ":1: the last message must be the assistant answer to screen",
                last.err().trim());
        Files.writeString(dir.resolve("broken.jsonl"), "{\"messages\": [{\"role\": \"user\"}]}\n");
        CliTest.Result broken = CliTest.run("screen", "--model", model, "--direction", "random:1", "--hook",
                "blocks.0.hook_resid_post", "--data", dir.resolve("broken.jsonl").toString(), "--out", dir.resolve("o").toString());
        assertEquals(2, broken.code());
        assertTrue(broken.err().contains(dir.resolve("broken.jsonl") + ":1: messages[0] needs a string 'content'"), broken.err());
        ChatJsonl.write(dir.resolve("ok.jsonl"), PersonaSets.helpful());
        CliTest.Result spec = CliTest.run("screen", "--model", model, "--direction", "vector:" + dir.resolve("none.json"),
                "--data", dir.resolve("ok.jsonl").toString(), "--out", dir.resolve("o").toString());
        assertEquals(2, spec.code());
        assertEquals("error: " + dir.resolve("none.json") + ": no such vector file", spec.err().trim());
        CliTest.Result both = CliTest.run("screen", "--direction", "random:1", "--data", dir.resolve("ok.jsonl").toString(),
                "--bad", dir.resolve("ok.jsonl").toString(), "--out", dir.resolve("o").toString());
        assertEquals(2, both.code());
        assertTrue(both.err().contains("either --data FILE or --bad FILE with --good FILE"), both.err());
        assertFalse(Files.exists(dir.resolve("o")));
    }

    @Test
    void summaryFlagsARobustOutlierShare() {
        List<Screening.Sample> s = new ArrayList<>();
        for (int i = 0; i < 18; i++) {
            s.add(new Screening.Sample(i, "f:" + i, "a", "m", 1 + 0.01 * (i % 3), 1)); // scores 0, 0.01, 0.02
        }
        s.add(new Screening.Sample(18, "f:18", "a", "m", 6, 1));
        s.add(new Screening.Sample(19, "f:19", "a", "m", 5, 1));
        ScreeningSummary sum = ScreeningSummary.of(s, null, 0.05, null);
        assertEquals(20, sum.n());
        assertEquals(2, sum.above()); // median 0.01, MAD 0.01: the cut-off is 0.01 + 3 x 1.4826 x 0.01
        assertEquals(0.01 + 3 * 1.4826 * 0.01, sum.threshold(), 1e-9);
        assertTrue(sum.flagged());
        assertNull(sum.auroc());
        boolean[] bad = new boolean[20];
        bad[18] = true;
        bad[19] = true;
        ScreeningSummary labelled = ScreeningSummary.of(s, 10.0, 0.05, bad);
        assertEquals(0, labelled.above());
        assertFalse(labelled.flagged());
        assertEquals(1.0, labelled.auroc(), 1e-12);
        assertEquals("f:18", Screening.ranked(s).get(0).origin());
    }
}
