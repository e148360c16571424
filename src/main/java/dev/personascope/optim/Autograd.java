package dev.personascope.optim;

import ai.djl.pytorch.jni.JniUtils;

import java.util.function.Supplier;

/** Switches PyTorch's gradient recording off around code that must not be recorded (updates, evaluation). */
public final class Autograd {
    private Autograd() {
    }

    public static void noGrad(Runnable r) {
        untaped(() -> {
            r.run();
            return null;
        });
    }

    /** The value of {@code f}, computed with recording off (inside a gradient collector: kept off the tape). */
    public static <T> T untaped(Supplier<T> f) {
        boolean was = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            return f.get();
        } finally {
            JniUtils.setGradMode(was);
        }
    }
}
