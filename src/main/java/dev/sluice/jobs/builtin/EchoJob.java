package dev.sluice.jobs.builtin;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

import org.springframework.stereotype.Component;

import dev.sluice.jobs.JobContext;
import dev.sluice.jobs.JobHandler;

@Component
class EchoJob implements JobHandler<JsonNode> {

    @Override
    public String type() {
        return "echo";
    }

    @Override
    public Class<JsonNode> payloadType() {
        return JsonNode.class;
    }

    @Override
    public String description() {
        return "Returns its payload unchanged.";
    }

    @Override
    public JsonNode example() {
        return JsonNodeFactory.instance.objectNode().put("message", "hello");
    }

    @Override
    public Object handle(JsonNode payload, JobContext context) {
        return payload;
    }
}
