import java.io.IOException;

import org.codelibs.opensearch.runner.OpenSearchRunner;

/**
 * Thin launcher around {@link OpenSearchRunner#main(String[])}, used by ops/services.
 *
 * It accepts the same options as the runner (-basePath, -numOfNode, -baseHttpPort, -clusterName,
 * ...) and changes two things:
 *
 * 1. Port probe. The runner's main() looks for a free HTTP port between base+N and 9299 only, so
 *    with -baseHttpPort 59200 it throws "The http port 59201 is unavailable." and exits 1 without
 *    printing anything. setMaxHttpPort(-1) makes it use exactly base+N; if that port is taken the
 *    node fails with a bind error instead of moving to another port.
 *
 * 2. Bind address. network.host is set to 127.0.0.1 (system property portal.opensearch.host), so
 *    the HTTP and transport ports listen on loopback only. The transport (node-to-node) port is
 *    taken from portal.opensearch.transport.port when set, a port or a range such as 59301-59399
 *    (default: OpenSearch's 9300-9400).
 */
public final class PortalOpenSearchRunner {

    private PortalOpenSearchRunner() {
    }

    public static void main(final String[] args) throws InterruptedException {
        final String host = System.getProperty("portal.opensearch.host", "127.0.0.1");
        final String transportPort = System.getProperty("portal.opensearch.transport.port");
        final OpenSearchRunner runner = new OpenSearchRunner();
        runner.setMaxHttpPort(-1);
        runner.onBuild((index, settings) -> {
            settings.put("network.host", host);
            if (transportPort != null && !transportPort.isEmpty()) {
                settings.put("transport.port", transportPort);
            }
            // Dev machine: don't make indices read-only when the disk is nearly full.
            settings.put("cluster.routing.allocation.disk.threshold_enabled", false);
        });
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                runner.close();
            } catch (final IOException e) {
                System.err.println("Failed to close OpenSearch: " + e);
            }
        }));
        try {
            runner.build(args);
        } catch (final RuntimeException e) {
            e.printStackTrace();
            // One short line per cause, last in the log, so `tail` shows why it failed.
            for (Throwable t = e; t != null; t = t.getCause()) {
                System.err.println("OpenSearch failed to start: " + t);
            }
            System.exit(1);
        }
        while (!runner.isClosed()) {
            Thread.sleep(5000);
        }
    }
}
