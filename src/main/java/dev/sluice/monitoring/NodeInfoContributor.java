package dev.sluice.monitoring;

import java.util.Map;

import org.springframework.boot.actuate.info.Info;
import org.springframework.boot.actuate.info.InfoContributor;
import org.springframework.stereotype.Component;

import dev.sluice.config.NodeId;
import dev.sluice.config.SluiceProperties;

/** Adds this node's id, namespace and pool size to {@code /actuator/info} (beside build and git). */
@Component
class NodeInfoContributor implements InfoContributor {

    private final NodeId node;
    private final SluiceProperties properties;

    NodeInfoContributor(NodeId node, SluiceProperties properties) {
        this.node = node;
        this.properties = properties;
    }

    @Override
    public void contribute(Info.Builder builder) {
        builder.withDetail("sluice", Map.of("node", node.value(), "namespace", properties.namespace(),
                "workers", properties.workers().enabled() ? properties.workers().poolSize() : 0));
    }
}
