package dev.personascope.optim;

import ai.djl.pytorch.jni.JniUtils;

/** Switches PyTorch's gradient recording off around code that must not be recorded (updates, evaluation). */
public final class Autograd {
    private Autograd() {
    }

    public static void noGrad(Runnable r) {
        boolean was = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            r.run();
        } finally {
            JniUtils.setGradMode(was);
        }
    }
}
