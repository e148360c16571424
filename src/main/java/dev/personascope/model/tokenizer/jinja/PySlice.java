package dev.personascope.model.tokenizer.jinja;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * {@code py_slice(x, start, stop, step)}: Python's x[start:stop:step] for lists and strings, which
 * {@link JinjaSource} writes computed slices as. None (or Undefined) bounds take Python's defaults; negative
 * bounds count from the end; a negative step walks backwards.
 */
public final class PySlice {
    private PySlice() {
    }

    public static Object slice(Object var, Object start, Object stop, Object step) {
        List<Object> items = new ArrayList<>();
        if (var instanceof String s) {
            s.codePoints().forEach(cp -> items.add(new String(Character.toChars(cp))));
        } else if (var instanceof Collection<?> c) {
            items.addAll(c);
        } else {
            throw new TemplateRuntimeError("TypeError: '" + (var == null ? "NoneType" : var.getClass().getSimpleName())
                    + "' object is not subscriptable");
        }
        int n = items.size();
        long st = isNone(step) ? 1 : ((Number) step).longValue();
        if (st == 0) {
            throw new TemplateRuntimeError("ValueError: slice step cannot be zero");
        }
        List<Object> out = new ArrayList<>();
        if (st > 0) {
            long from = clamp(n, start, 0, 0, n);
            long to = clamp(n, stop, n, 0, n);
            for (long i = from; i < to; i += st) {
                out.add(items.get((int) i));
            }
        } else {
            long from = clamp(n, start, n - 1, -1, n - 1);
            long to = clamp(n, stop, -1, -1, n - 1);
            for (long i = from; i > to; i += st) {
                out.add(items.get((int) i));
            }
        }
        return var instanceof String ? String.join("", out.stream().map(Object::toString).toList()) : out;
    }

    private static boolean isNone(Object v) {
        return v == null || v instanceof PyNone || v instanceof Undefined;
    }

    /** A bound as slice.indices() computes it: default when None, negative from the end, clamped to [lo, hi]. */
    private static long clamp(int n, Object v, long dflt, long lo, long hi) {
        if (isNone(v)) {
            return dflt;
        }
        long b = ((Number) v).longValue();
        if (b < 0) {
            b += n;
        }
        return Math.max(lo, Math.min(hi, b));
    }
}
