package dev.personascope.dashboard;

import dev.personascope.train.TrainingCallback;
import dev.personascope.train.TrainingProgress;

import java.util.Map;

/**
 * Publishes the loss to a {@link DashboardServer} at every optimizer step. Watched directions and
 * alarms come from elsewhere (the monitor), through {@link DashboardServer#publish} and
 * {@link DashboardServer#alarm} on {@link #server()}.
 */
public final class DashboardCallback implements TrainingCallback {
    private final DashboardServer server;

    public DashboardCallback(DashboardServer server) {
        this.server = server;
    }

    public DashboardServer server() {
        return server;
    }

    @Override
    public int every() {
        return 1;
    }

    @Override
    public boolean onStep(TrainingProgress p) {
        server.publish(p.step(), p.loss(), Map.of());
        return false;
    }
}
