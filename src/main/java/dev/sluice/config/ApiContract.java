package dev.sluice.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.media.ArraySchema;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.oas.models.tags.Tag;

import org.springdoc.core.customizers.OpenApiCustomizer;

/**
 * Makes the generated OpenAPI document say what the API does, as a client generator reads it: errors
 * as {@code application/problem+json} with one shared {@code Problem} schema, success bodies as
 * {@code application/json}, free-form JSON as free-form, closed sets as enums, readable operation ids,
 * the {@code X-API-Key} scheme on every {@code /api} operation, tags with jobs first. {@code
 * ApiContractTests} walks the document and checks live responses against it.
 */
final class ApiContract implements OpenApiCustomizer {

    static final String PROBLEM = "application/problem+json";
    static final String API_KEY = "apiKey";
    private static final String REF = "#/components/schemas/";

    /** Operation ids by "METHOD path": verbs and nouns, unique, instead of springdoc's submit_1, get_2. */
    private static final Map<String, String> IDS = Map.ofEntries(
            Map.entry("POST /api/jobs", "submitJob"),
            Map.entry("POST /api/jobs/batch", "submitJobs"),
            Map.entry("GET /api/jobs", "listJobs"),
            Map.entry("GET /api/jobs/{id}", "getJob"),
            Map.entry("DELETE /api/jobs/{id}", "cancelJob"),
            Map.entry("POST /api/jobs/{id}/retry", "retryJob"),
            Map.entry("GET /api/jobs/{id}/events", "streamJobEvents"),
            Map.entry("GET /api/events", "streamEvents"),
            Map.entry("POST /api/batches", "createBatch"),
            Map.entry("GET /api/batches/{id}", "getBatch"),
            Map.entry("GET /api/job-types", "listJobTypes"),
            Map.entry("GET /api/job-types/{type}", "getJobType"),
            Map.entry("PUT /api/job-types/{type}", "putJobType"),
            Map.entry("DELETE /api/job-types/{type}", "deleteJobType"),
            Map.entry("GET /api/job-types/{type}/limits", "getJobTypeLimits"),
            Map.entry("PUT /api/job-types/{type}/limits", "putJobTypeLimits"),
            Map.entry("POST /api/workers/{workerId}/claim", "claimJobs"),
            Map.entry("POST /api/workers/{workerId}/beat", "beatWorker"),
            Map.entry("PUT /api/workers/{workerId}/state", "setWorkerState"),
            Map.entry("POST /api/jobs/{id}/heartbeat", "heartbeatJob"),
            Map.entry("POST /api/jobs/{id}/complete", "completeJob"),
            Map.entry("POST /api/jobs/{id}/fail", "failJob"),
            Map.entry("POST /api/jobs/{id}/release", "releaseJob"),
            Map.entry("POST /api/jobs/complete", "completeJobs"),
            Map.entry("GET /api/queues", "getQueues"),
            Map.entry("GET /api/stats", "getStats"),
            Map.entry("POST /api/queues/{priority}/pause", "pauseQueue"),
            Map.entry("POST /api/queues/{priority}/resume", "resumeQueue"),
            Map.entry("DELETE /api/dead-letters/{id}", "purgeDeadLetter"),
            Map.entry("POST /api/dead-letters/retry-all", "retryAllDeadLetters"),
            Map.entry("POST /api/orders", "placeOrder"),
            Map.entry("GET /api/orders", "listOrders"),
            Map.entry("GET /api/orders/{id}", "getOrder"));

    private static final List<String> TAG_ORDER = List.of("jobs", "batches", "job types", "workers", "queues",
            "dead letters", "events", "orders");

    /** Closed sets of query and path parameters (and every schema's priority): the listing's states, priorities. */
    private static final Map<String, List<String>> ENUMS = Map.of(
            "priority", List.of("high", "normal", "low"),
            "state", List.of("scheduled", "queued", "running", "retrying", "dead", "succeeded", "failed", "cancelled"));

    @Override
    public void customise(OpenAPI document) {
        var components = document.getComponents();
        components.addSchemas("Problem", problem());
        components.addSecuritySchemes(API_KEY, new SecurityScheme().type(SecurityScheme.Type.APIKEY)
                .in(SecurityScheme.In.HEADER).name("X-API-Key")
                .description("An API key (sluice.security.api-keys); with no keys configured the API is open."));
        document.setTags(tags(document));
        document.getPaths().forEach((path, item) -> item.readOperationsMap().forEach((method, operation) -> {
            String key = method.name() + " " + path;
            operation.setOperationId(IDS.getOrDefault(key, operation.getOperationId()));
            if (path.startsWith("/api/")) {
                operation.setSecurity(List.of(new SecurityRequirement().addList(API_KEY)));
            }
            parameters(operation);
            requestBody(operation);
            responses(operation, path.startsWith("/api/"), method);
        }));
        Map<String, Schema> schemas = components.getSchemas();
        schemas.values().forEach(ApiContract::freeFormAndEnums);
        schemas.forEach((name, schema) -> {
            if (!name.equals("Problem")) {
                nullable(schema);
            }
        });
        schemas.remove("JsonNode");
        schemas.remove("SseEmitter");
        schemas.remove("ProblemDetail");
    }

    private static List<Tag> tags(OpenAPI document) {
        Map<String, Tag> byName = new LinkedHashMap<>();
        TAG_ORDER.forEach(name -> byName.put(name, new Tag().name(name)));
        if (document.getTags() != null) {
            document.getTags().forEach(tag -> byName.put(tag.getName(), tag));
        }
        document.getPaths().values().forEach(item -> item.readOperations().forEach(op -> {
            if (op.getTags() != null) {
                op.getTags().forEach(name -> byName.putIfAbsent(name, new Tag().name(name)));
            }
        }));
        return new ArrayList<>(byName.values());
    }

    private static void parameters(Operation operation) {
        if (operation.getParameters() == null) {
            return;
        }
        for (Parameter parameter : operation.getParameters()) {
            List<String> values = ENUMS.get(parameter.getName());
            if (values != null && parameter.getSchema() != null && "string".equals(type(parameter.getSchema()))) {
                Schema<String> closed = new StringSchema();
                values.forEach(closed::addEnumItemObject);
                closed.setDefault(parameter.getSchema().getDefault());
                parameter.setSchema(closed);
            }
        }
    }

    /** A body read as free-form JSON ({@code JsonNode}) is documented as a JSON object. */
    private static void requestBody(Operation operation) {
        if (operation.getRequestBody() == null || operation.getRequestBody().getContent() == null) {
            return;
        }
        operation.getRequestBody().getContent().values().forEach(media -> {
            if (media.getSchema() != null && (REF + "JsonNode").equals(media.getSchema().get$ref())) {
                media.setSchema(new ObjectSchema().additionalProperties(Boolean.TRUE));
            }
        });
    }

    /**
     * Jackson writes every absent value as null, so a property that is not required may be null:
     * {@code type: [t, "null"]}, or {@code anyOf: [ref, null]} for a reference. Enums are left as they are
     * (their values are never null).
     */
    @SuppressWarnings({"rawtypes", "unchecked"})
    private static void nullable(Schema schema) {
        if (schema.getProperties() == null) {
            return;
        }
        List<String> required = schema.getRequired() == null ? List.of() : schema.getRequired();
        Map<String, Schema> properties = schema.getProperties();
        properties.replaceAll((name, property) -> {
            if (required.contains(name) || property.getEnum() != null) {
                return property;
            }
            if (property.get$ref() != null) {
                Schema either = new Schema<>();
                either.setDescription(property.getDescription());
                either.setAnyOf(List.of(new Schema<>().$ref(property.get$ref()), nullType()));
                return either;
            }
            String type = type(property);
            if (type != null && !type.equals("null")) {
                property.setType(null);
                property.setTypes(new java.util.LinkedHashSet<>(List.of(type, "null")));
            }
            return property;
        });
    }

    private static Schema<?> nullType() {
        Schema<?> none = new Schema<>();
        none.setTypes(new java.util.LinkedHashSet<>(List.of("null")));
        return none;
    }

    private static void responses(Operation operation, boolean api, PathItem.HttpMethod method) {
        ApiResponses responses = operation.getResponses();
        if (responses == null) {
            responses = new ApiResponses();
            operation.setResponses(responses);
        }
        responses.forEach((code, response) -> {
            Content content = response.getContent();
            if (code.startsWith("4") || code.startsWith("5")) {
                response.setContent(problemContent());
            } else if (content != null) {
                Content fixed = new Content();
                content.forEach((type, media) -> {
                    MediaType typed = media.getSchema() != null && isEmitter(media.getSchema()) ? events() : media;
                    fixed.addMediaType("*/*".equals(type) ? "application/json" : type, typed);
                });
                response.setContent(fixed);
            }
        });
        if (!api) {
            return;
        }
        boolean takesInput = operation.getRequestBody() != null
                || operation.getParameters() != null && !operation.getParameters().isEmpty();
        if (takesInput) {
            standard(responses, "400", "a request field or parameter is wrong; errors names every one");
        }
        standard(responses, "401", "no API key, or an unknown one (when keys are configured)");
        standard(responses, "403", "the key's role does not allow this operation");
        standard(responses, "500", "a bug: logged, never explained");
        standard(responses, "503", "Redis did not answer (Retry-After); nothing was changed");
    }

    private static void standard(ApiResponses responses, String code, String description) {
        if (!responses.containsKey(code)) {
            responses.addApiResponse(code, new ApiResponse().description(description).content(problemContent()));
        }
    }

    private static Content problemContent() {
        return new Content().addMediaType(PROBLEM, new MediaType().schema(new Schema<>().$ref(REF + "Problem")));
    }

    private static boolean isEmitter(Schema<?> schema) {
        return (REF + "SseEmitter").equals(schema.get$ref());
    }

    private static MediaType events() {
        return new MediaType().schema(new StringSchema().description("server-sent events: event: <state or "
                + "'progress'>, data: a JSON object {id, state, type, at, attempt, note, progress, message}"));
    }

    /** RFC 9457 with Sluice's members: errors by field, and the extras some problems carry. */
    private static Schema<?> problem() {
        ObjectSchema error = new ObjectSchema();
        error.addProperty("field", new StringSchema().description("the field as a JSON path, e.g. payload.x"));
        error.addProperty("reason", new StringSchema());
        error.setRequired(List.of("field", "reason"));
        ObjectSchema problem = new ObjectSchema();
        problem.setDescription("RFC 9457 problem details; type is stable (/problems/…), extra members by type");
        problem.addProperty("type", new StringSchema().example("/problems/invalid-request"));
        problem.addProperty("title", new StringSchema());
        problem.addProperty("status", new IntegerSchema());
        problem.addProperty("detail", new StringSchema());
        problem.addProperty("instance", new StringSchema());
        problem.addProperty("errors", new ArraySchema().items(error));
        problem.addProperty("state", new StringSchema().description("the job's state (job-state-conflict)"));
        problem.addProperty("queue", new StringSchema().description("the full queue (queue-full)"));
        problem.addProperty("depth", new IntegerSchema().format("int64"));
        problem.addProperty("capacity", new IntegerSchema().format("int64"));
        problem.setRequired(List.of("type", "title", "status"));
        problem.setAdditionalProperties(Boolean.TRUE);
        return problem;
    }

    /** Free-form JSON ({@code JsonNode}) as any value, and every priority property as an enum. */
    @SuppressWarnings({"rawtypes", "unchecked"})
    private static void freeFormAndEnums(Schema schema) {
        if (schema == null) {
            return;
        }
        if (schema.getProperties() != null) {
            Map<String, Schema> properties = schema.getProperties();
            properties.replaceAll((name, property) -> {
                if (property.get$ref() != null && property.get$ref().equals(REF + "JsonNode")) {
                    return new Schema<>().description(property.getDescription());
                }
                if (name.equals("priority") && "string".equals(type(property)) && property.getEnum() == null) {
                    ENUMS.get("priority").forEach(property::addEnumItemObject);
                }
                freeFormAndEnums(property);
                return property;
            });
        }
        if (schema.getItems() != null) {
            if ((REF + "JsonNode").equals(schema.getItems().get$ref())) {
                schema.setItems(new Schema<>());
            } else {
                freeFormAndEnums(schema.getItems());
            }
        }
        if (schema.getAdditionalProperties() instanceof Schema extra) {
            if ((REF + "JsonNode").equals(extra.get$ref())) {
                schema.setAdditionalProperties(Boolean.TRUE);
            } else {
                freeFormAndEnums(extra);
            }
        }
    }

    private static String type(Schema<?> schema) {
        if (schema.getType() != null) {
            return schema.getType();
        }
        return schema.getTypes() != null && schema.getTypes().size() == 1 ? schema.getTypes().iterator().next() : null;
    }
}
