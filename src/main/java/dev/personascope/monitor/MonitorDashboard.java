package dev.personascope.monitor;

import dev.personascope.report.DashboardServer;

/**
 * Bridges a {@link PersonaMonitor} to the live dashboard: each measurement's values become a
 * dashboard event (with no loss; the loss comes from {@link dev.personascope.report.DashboardCallback})
 * and each alarm the page's banner.
 */
public final class MonitorDashboard {
    private MonitorDashboard() {
    }

    /** Sets the monitor's listeners to publish to the server; returns the monitor. */
    public static PersonaMonitor connect(PersonaMonitor monitor, DashboardServer server) {
        return monitor.listener(m -> server.publish(m.step(), Double.NaN, m.values()),
                a -> server.alarm(a.step(), a.direction(), a.value(), a.message()));
    }
}
