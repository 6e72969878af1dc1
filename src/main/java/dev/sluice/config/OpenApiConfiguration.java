package dev.sluice.config;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {

    @Bean
    org.springdoc.core.customizers.OpenApiCustomizer sluiceApiContract() {
        return new ApiContract();
    }

    @Bean
    OpenAPI sluiceOpenApi() {
        return new OpenAPI().info(new Info()
                .title("Sluice")
                .version("0.1")
                .description("A job queue on Redis. Submit a job, get 202 and its id at once; a free worker runs it, "
                        + "highest priority first; read its state and result from GET /api/jobs/{id}. "
                        + "Errors are RFC 9457 problem+json."));
    }
}
