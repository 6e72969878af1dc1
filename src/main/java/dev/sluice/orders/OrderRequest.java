package dev.sluice.orders;

import java.math.BigDecimal;
import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import io.swagger.v3.oas.annotations.media.Schema;

@Schema(name = "PlaceOrder", example = """
        {"customer":{"name":"Ada Lovelace","email":"ada@example.com"},
         "items":[{"sku":"BOOK-42","quantity":2,"unitPrice":12.50},{"sku":"MUG-7","quantity":1,"unitPrice":8}],
         "shipping":"express"}""")
record OrderRequest(
        @NotNull @Valid Customer customer,
        @NotEmpty @Size(max = 100) List<@NotNull @Valid Item> items,
        @Schema(description = "standard (normal priority) or express (high priority)", example = "express")
        @NotNull @Pattern(regexp = "standard|express", message = "must be standard or express") String shipping,
        @Schema(description = "told when the order is delivered (succeeded) or a step ends badly (failed, dead, "
                + "cancelled): the step job's callback, signed; its data.payload names the order")
        @Valid OrderCallback callback) {

    record OrderCallback(@NotBlank @Size(max = 2048) String url,
            @Size(max = 4) List<@Pattern(regexp = "succeeded|failed|dead|cancelled",
                    message = "must be succeeded, failed, dead or cancelled") String> events) {
    }

    record Customer(@NotBlank @Size(max = 200) String name, @NotBlank @Email @Size(max = 254) String email) {
    }

    record Item(@NotBlank @Size(max = 64) String sku, @NotNull @Min(1) @Max(10_000) Integer quantity,
            @NotNull @DecimalMin("0") BigDecimal unitPrice) {
    }

    BigDecimal total() {
        return items.stream().map(i -> i.unitPrice().multiply(BigDecimal.valueOf(i.quantity())))
                .reduce(BigDecimal.ZERO, BigDecimal::add);
    }
}
