package dev.personascope.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.personascope.data.ChatEncoder;
import dev.personascope.model.DecoderModel;
import dev.personascope.model.TokenBatch;
import dev.personascope.model.hooks.Hooks;

import java.util.ArrayList;
import java.util.List;

/** Next-token cross-entropy over target tokens only. */
public final class LossFunctions {
    private LossFunctions() {
    }

    /** The summed loss of a batch and how many target tokens it covers. */
    public record Sum(NDArray loss, int targets) {
    }

    /**
     * −Σ log p(token_t | tokens_<t) over the target tokens of a right-padded batch. Only the hidden
     * states that predict a target are projected to the vocabulary, so the output head costs
     * nothing for prompt and padding positions.
     */
    public static Sum targetNll(DecoderModel model, NDManager scope, List<ChatEncoder.Encoded> batch, Hooks hooks) {
        List<int[]> ids = new ArrayList<>();
        for (ChatEncoder.Encoded e : batch) {
            ids.add(e.ids());
        }
        TokenBatch tb = TokenBatch.rightPadded(ids, 0, null);
        int t = tb.length();
        List<Long> rows = new ArrayList<>();
        List<Long> next = new ArrayList<>();
        for (int b = 0; b < batch.size(); b++) {
            ChatEncoder.Encoded e = batch.get(b);
            for (int i = 1; i < e.ids().length; i++) {
                if (e.target()[i]) {
                    rows.add((long) b * t + i - 1); // hidden state at i-1 predicts token i
                    next.add((long) e.ids()[i]);
                }
            }
        }
        if (rows.isEmpty()) {
            return new Sum(scope.zeros(new Shape()), 0);
        }
        NDArray hidden = model.forward(scope, tb, null, hooks, DecoderModel.Logits.HIDDEN);
        long d = hidden.getShape().get(2);
        NDArray picked = hidden.reshape(-1, d).get(new NDIndex("{}", scope.create(toArray(rows))));  // [N, d]
        NDArray logp = model.project(picked).logSoftmax(-1);                                       // [N, vocab]
        NDArray targetLogp = logp.gather(scope.create(toArray(next)).reshape(-1, 1), 1);           // [N, 1]
        return new Sum(targetLogp.sum().neg(), rows.size());
    }

    private static long[] toArray(List<Long> l) {
        long[] a = new long[l.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = l.get(i);
        }
        return a;
    }
}
