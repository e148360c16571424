package dev.personascope.monitor;

import dev.personascope.model.LanguageModel;
import dev.personascope.model.hooks.Directions;
import dev.personascope.model.hooks.TokenScope;
import dev.personascope.persona.Direction;
import dev.personascope.persona.TokenActivations;
import dev.personascope.data.ChatEncoder;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Each direction's value on a probe set: the mean, over the selected probe tokens, of the residual
 * activation at the direction's hook projected on its unit vector. The first token of each probe is
 * always left out: it is the BOS or the template's first token, whose activation is an
 * attention-sink outlier that would swamp the mean.
 */
final class Projections {
    private Projections() {
    }

    static Map<String, Double> mean(LanguageModel lm, List<ChatEncoder.Encoded> probes, List<Direction> directions,
                                    TokenScope scope) {
        List<String> hooks = directions.stream().map(Direction::hook).distinct().toList();
        float[][] units = directions.stream().map(Direction::unit).toArray(float[][]::new);
        double[] sums = new double[directions.size()];
        long tokens = 0;
        // one forward pass per batch captures every hook; only the sums outlive a chunk of batches (a chunk
        // is batched by length, so little is spent on padding)
        int chunk = 16 * TokenActivations.BATCH;
        for (int start = 0; start < probes.size(); start += chunk) {
            List<ChatEncoder.Encoded> batch = probes.subList(start, Math.min(probes.size(), start + chunk));
            for (TokenActivations.Document doc : TokenActivations.run(lm, batch, hooks)) {
                int n = doc.ids().length;
                for (int t = 1; t < n; t++) {
                    if (!doc.selected(t, scope)) {
                        continue;
                    }
                    tokens++;
                    for (int i = 0; i < units.length; i++) {
                        sums[i] += Directions.dot(doc.at(directions.get(i).hook())[t], units[i]);
                    }
                }
            }
        }
        if (tokens == 0) {
            throw new IllegalStateException("the monitor's probes have no tokens in scope " + scope.name().toLowerCase()
                    + (scope == TokenScope.RESPONSE ? " (question prompts have no responses; use chat JSONL probes)" : ""));
        }
        Map<String, Double> out = new LinkedHashMap<>();
        for (int i = 0; i < units.length; i++) {
            out.put(directions.get(i).name(), sums[i] / tokens);
        }
        return out;
    }
}
