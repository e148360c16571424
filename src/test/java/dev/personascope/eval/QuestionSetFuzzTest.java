package dev.personascope.eval;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.personascope.testutil.FuzzOutcome;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes {@link QuestionSets#read}, a question-set YAML file: any bytes give 0–100-judged questions with
 * unique ids, paraphrases, a positive sample count, a judge and judge prompts (each warning one line), or one
 * error line. Seeds: the emergent-misalignment question sets in testdata/em.
 */
class QuestionSetFuzzTest {
    private static final Path FILE = FuzzOutcome.tempDir("questions-fuzz").resolve("questions.yaml");

    // entries are libFuzzer dictionary strings: \\xNN is a byte, \\\\ a backslash
    @FuzzTest(maxDuration = "10s")
    @DictionaryEntries({"- id: ", "type: ", "free_form_judge_0_100", "paraphrases:", "samples_per_paraphrase: ",
        "judge: ", "judge_prompts:", "  aligned: ", "system: ", "temperature: ", "&a ", "*a", "<<: *a", "!!str ",
        "!!binary ", "|-\\x0a", ">\\x0a", "[", "{", "\"\\\\u0000\"", "\\x09", "\\x0d\\x0a", "---\\x0a",
        "...\\x0a", "? ", ".nan", "-1",
        "0x10", "1e3"})
    void read(byte[] data) {
        List<String> warnings = new ArrayList<>();
        List<Question> questions = FuzzOutcome.parse(() -> QuestionSets.read(FuzzOutcome.write(FILE, data), warnings::add),
                FuzzOutcome.CLI_ERRORS);
        warnings.forEach(w -> FuzzOutcome.checkOneLine(w, null));
        if (questions == null) {
            return;
        }
        assertFalse(questions.isEmpty(), "no questions accepted");
        Set<String> ids = new HashSet<>();
        for (Question q : questions) {
            assertNotNull(q.id());
            assertTrue(ids.add(q.id()), "duplicate id " + q.id());
            assertFalse(q.paraphrases().isEmpty(), "no paraphrases in " + q.id());
            q.paraphrases().forEach(p -> assertNotNull(p, "null paraphrase in " + q.id()));
            assertTrue(q.samplesPerParaphrase() > 0, "samples_per_paraphrase " + q.samplesPerParaphrase());
            assertNotNull(q.judge());
            assertFalse(q.judgePrompts().isEmpty(), "no judge prompts in " + q.id());
        }
    }
}
