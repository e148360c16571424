package dev.personascope.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.personascope.model.io.HostTensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AdamW (Loshchilov & Hutter 2019) as torch.optim.AdamW computes it: p ← p·(1 − lr·λ), then
 * p ← p − lr · m̂ / (√v̂ + ε) with bias-corrected moments m̂ = m / (1 − β₁ᵗ), v̂ = v / (1 − β₂ᵗ).
 */
public final class AdamW implements AutoCloseable {
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final NDManager manager;
    private final Map<String, NDArray> m = new LinkedHashMap<>();
    private final Map<String, NDArray> v = new LinkedHashMap<>();
    private long step;

    public AdamW(NDManager parent, double beta1, double beta2, double eps, double weightDecay) {
        this.manager = parent.newSubManager();
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
    }

    public long stepCount() {
        return step;
    }

    /** Updates every parameter in place from its gradient; call with autograd recording off. */
    public void update(Map<String, NDArray> params, Map<String, NDArray> grads, double lr) {
        step++;
        double bc1 = 1 - Math.pow(beta1, step);
        double bc2 = 1 - Math.pow(beta2, step);
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            NDArray p = e.getValue();
            NDArray g = grads.get(e.getKey());
            NDArray mi = m.computeIfAbsent(e.getKey(), k -> manager.zeros(p.getShape()));
            NDArray vi = v.computeIfAbsent(e.getKey(), k -> manager.zeros(p.getShape()));
            try (NDManager tmp = manager.newSubManager()) {
                g.tempAttach(tmp);
                mi.muli((float) beta1).addi(g.mul((float) (1 - beta1)));
                vi.muli((float) beta2).addi(g.square().muli((float) (1 - beta2)));
                NDArray vHat = vi.div((float) bc2);
                vHat.attach(tmp); // results of ops on vHat now land in tmp
                NDArray denom = vHat.sqrt().addi((float) eps);
                NDArray delta = mi.div(denom);
                delta.attach(tmp);
                delta.muli((float) (lr / bc1));
                if (weightDecay != 0) {
                    p.muli((float) (1 - lr * weightDecay));
                }
                p.subi(delta);
            }
        }
    }

    /** The moments as host tensors ({@code m.<name>}, {@code v.<name>}), for checkpoints. */
    public List<HostTensor> state() {
        List<HostTensor> out = new ArrayList<>();
        m.forEach((k, a) -> out.add(new HostTensor("m." + k, a.getShape().getShape(), a.toFloatArray())));
        v.forEach((k, a) -> out.add(new HostTensor("v." + k, a.getShape().getShape(), a.toFloatArray())));
        return out;
    }

    public void restore(Map<String, HostTensor> state, long stepCount) {
        step = stepCount;
        for (HostTensor t : state.values()) {
            Map<String, NDArray> target = t.name().startsWith("m.") ? m : v;
            NDArray a = manager.create(t.data(), new ai.djl.ndarray.types.Shape(t.shape()));
            NDArray old = target.put(t.name().substring(2), a);
            if (old != null) {
                old.close();
            }
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
