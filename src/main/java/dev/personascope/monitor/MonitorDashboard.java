package dev.personascope.monitor;

import dev.personascope.dashboard.DashboardServer;

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
        return monitor.listener(m -> publish(server, m), a -> alarm(server, a));
    }

    /** Publishes one measurement's values (an event with no loss). */
    public static void publish(DashboardServer server, Measurement m) {
        server.publish(m.step(), Double.NaN, m.values());
    }

    /** Shows an alarm's banner. */
    public static void alarm(DashboardServer server, Alarm a) {
        server.alarm(a.step(), a.direction(), a.value(), a.message());
    }

    /** Publishes what a monitor has already recorded (a resumed run's replayed measurements and alarms). */
    public static void replay(PersonaMonitor monitor, DashboardServer server) {
        monitor.measurements().forEach(m -> publish(server, m));
        monitor.alarms().forEach(a -> alarm(server, a));
    }
}
