package dev.sluice.config;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.ThreadLocalRandom;

/** This node's id in Redis: configured, or host name, process id and a random suffix. */
public record NodeId(String value) {

    static NodeId of(SluiceProperties properties) {
        if (!properties.nodeId().isBlank()) {
            if (properties.nodeId().startsWith("remote:")) {
                throw new IllegalStateException("sluice.node-id may not start with 'remote:': remote workers' ids do");
            }
            return new NodeId(properties.nodeId());
        }
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9._-]", "-");
        } catch (UnknownHostException e) {
            host = "node";
        }
        return new NodeId(host + "-" + ManagementFactory.getRuntimeMXBean().getPid() + "-"
                + Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36 * 36), 36));
    }

    @Override
    public String toString() {
        return value;
    }
}
