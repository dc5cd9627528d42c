package io.batpak.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Path;
import java.io.IOException;
import java.io.InputStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The checked-in OpenAPI document ({@code META-INF/openapi.yaml}, served as is at {@code /openapi})
 * is valid OpenAPI 3 with the properties client generators need, and it describes exactly the
 * JAX-RS resource methods of this module: a new endpoint without an operation (or an operation
 * whose endpoint went away) fails the build here. The served document is checked by OpenApiIT.
 */
class OpenApiDocumentTest {
    private static final String API = "/api/v1";
    private static final String PROBLEM = "#/components/schemas/Problem";
    private static OpenAPI doc;

    @BeforeAll
    static void parse() throws IOException {
        String yaml;
        try (InputStream in = OpenApiDocumentTest.class.getResourceAsStream("/META-INF/openapi.yaml")) {
            assertNotNull(in, "META-INF/openapi.yaml is missing");
            yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        ParseOptions options = new ParseOptions();
        options.setResolve(false);
        SwaggerParseResult result = new OpenAPIV3Parser().readContents(yaml, null, options);
        assertEquals(List.of(), result.getMessages() == null ? List.of() : result.getMessages(),
                "META-INF/openapi.yaml is not valid OpenAPI");
        doc = result.getOpenAPI();
        assertNotNull(doc);
    }

    @Test
    void documentsExactlyTheResourceMethods() throws Exception {
        Set<String> code = resourceOperations();
        Set<String> documented = new TreeSet<>();
        forEachOperation((path, method, op) -> {
            if (path.startsWith(API + "/")) {
                documented.add(method + " " + path);
            }
        });
        Set<String> undocumented = new TreeSet<>(code);
        undocumented.removeAll(documented);
        Set<String> gone = new TreeSet<>(documented);
        gone.removeAll(code);
        assertTrue(undocumented.isEmpty(), "resource methods without an operation in META-INF/openapi.yaml: "
                + undocumented);
        assertTrue(gone.isEmpty(), "operations in META-INF/openapi.yaml without a resource method: " + gone);
        assertTrue(code.size() > 20, "found only " + code + "; is the class scan broken?");
    }

    @Test
    void operationIdsAreUniqueAndEveryOperationHasASummary() {
        Set<String> ids = new HashSet<>();
        forEachOperation((path, method, op) -> {
            assertNotNull(op.getOperationId(), method + " " + path + " has no operationId");
            assertTrue(op.getOperationId().matches("[a-z][A-Za-z]+"), "operationId " + op.getOperationId());
            assertTrue(ids.add(op.getOperationId()), "duplicate operationId " + op.getOperationId());
            assertNotNull(op.getSummary(), method + " " + path + " has no summary");
        });
    }

    @Test
    void relativeServerLicenseAndContact() {
        assertEquals(1, doc.getServers().size());
        assertEquals("/", doc.getServers().get(0).getUrl(), "the server URL must be relative");
        assertNotNull(doc.getInfo().getLicense().getName());
        assertNotNull(doc.getInfo().getLicense().getUrl());
        assertNotNull(doc.getInfo().getContact().getName());
        assertTrue(doc.getOpenapi().startsWith("3."));
    }

    @Test
    void apiOperationsNeedTheBearerTokenAndOperationsEndpointsDoNot() {
        // Per operation, not top-level: Payara drops an empty "security: []" when it writes the
        // document, so open operations name the empty requirement instead.
        assertEquals(null, doc.getSecurity(), "no top-level security requirement");
        assertEquals("bearer", doc.getComponents().getSecuritySchemes().get("bearer").getScheme());
        forEachOperation((path, method, op) -> {
            if (path.startsWith(API + "/")) {
                assertEquals(List.of(Map.of("bearer", List.of())), op.getSecurity(), method + " " + path
                        + " must require the bearer scheme");
                assertTrue(op.getResponses().containsKey("401"), method + " " + path + " lacks 401");
                assertTrue(op.getResponses().containsKey("403"), method + " " + path + " lacks 403");
            } else {
                assertEquals(List.of(Map.of()), op.getSecurity(), method + " " + path + " must be open (security: [{}])");
            }
        });
    }

    @Test
    void errorsAreProblemsAndBodiesHaveSchemas() {
        forEachOperation((path, method, op) -> {
            String where = method + " " + path;
            if (op.getRequestBody() != null) {
                assertSchemas(where + " request", op.getRequestBody().getContent());
            }
            op.getResponses().forEach((status, r) -> {
                ApiResponse response = resolve(r);
                if (status.startsWith("4") || (status.startsWith("5") && !path.startsWith("/health"))) {
                    assertEquals(Set.of("application/problem+json"), response.getContent().keySet(), where + " " + status);
                    assertEquals(PROBLEM, response.getContent().get("application/problem+json").getSchema().get$ref(),
                            where + " " + status);
                } else if (response.getContent() != null) {
                    assertSchemas(where + " " + status, response.getContent());
                } else {
                    assertEquals("204", status, where + " " + status + " has no content");
                }
            });
        });
    }

    private static void assertSchemas(String where, Content content) {
        assertFalse(content.isEmpty(), where + " has no media type");
        for (Map.Entry<String, MediaType> e : content.entrySet()) {
            Schema<?> s = e.getValue().getSchema();
            assertNotNull(s, where + " " + e.getKey() + " has no schema");
            if (e.getKey().contains("json") && !where.startsWith("GET /openapi") || e.getKey().contains("msgpack")) {
                assertNotNull(s.get$ref(), where + " " + e.getKey() + " must use a schema of components/schemas");
                String name = s.get$ref().substring(s.get$ref().lastIndexOf('/') + 1);
                assertNotNull(doc.getComponents().getSchemas().get(name), where + ": no schema " + name);
            }
        }
    }

    private static ApiResponse resolve(ApiResponse r) {
        if (r.get$ref() == null) {
            return r;
        }
        String name = r.get$ref().substring(r.get$ref().lastIndexOf('/') + 1);
        ApiResponse target = doc.getComponents().getResponses().get(name);
        assertNotNull(target, "no response " + r.get$ref());
        return target;
    }

    private interface OperationVisitor {
        void visit(String path, String method, Operation op);
    }

    private static void forEachOperation(OperationVisitor v) {
        doc.getPaths().forEach((path, item) -> {
            for (Map.Entry<PathItem.HttpMethod, Operation> e : item.readOperationsMap().entrySet()) {
                v.visit(path, e.getKey().name(), e.getValue());
            }
        });
    }

    /** "METHOD /api/v1/path" of every resource method in this module's classes, found by reflection. */
    private static Set<String> resourceOperations() throws IOException, URISyntaxException, ClassNotFoundException {
        String base = ApiApplication.class.getAnnotation(ApplicationPath.class).value();
        java.nio.file.Path classes = java.nio.file.Path.of(
                ApiApplication.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> names = new ArrayList<>();
        try (Stream<java.nio.file.Path> files = Files.walk(classes)) {
            files.filter(f -> f.toString().endsWith(".class")).forEach(f -> names.add(
                    classes.relativize(f).toString().replace(java.io.File.separatorChar, '.').replaceAll("\\.class$", "")));
        }
        Set<String> out = new TreeSet<>();
        for (String name : names) {
            Class<?> c = Class.forName(name, false, OpenApiDocumentTest.class.getClassLoader());
            Path classPath = c.getAnnotation(Path.class);
            if (classPath == null) {
                continue;
            }
            for (Method m : c.getDeclaredMethods()) {
                String http = httpMethod(m);
                Path methodPath = m.getAnnotation(Path.class);
                if (http == null) {
                    // A sub-resource locator would hide its operations from this comparison.
                    assertEquals(null, methodPath, c.getName() + "." + m.getName() + " is a sub-resource locator");
                    continue;
                }
                out.add(http + " " + join(base, classPath.value(), methodPath == null ? "" : methodPath.value()));
            }
        }
        return out;
    }

    private static String httpMethod(Method m) {
        for (Annotation a : m.getAnnotations()) {
            HttpMethod h = a.annotationType().getAnnotation(HttpMethod.class);
            if (h != null) {
                return h.value();
            }
        }
        return null;
    }

    private static String join(String... parts) {
        StringBuilder b = new StringBuilder();
        for (String p : parts) {
            // {name: regex} templates are {name} in OpenAPI.
            String clean = p.replaceAll("\\{\\s*([A-Za-z0-9_]+)\\s*:[^}]*}", "{$1}").replaceAll("^/+|/+$", "");
            if (!clean.isEmpty()) {
                b.append('/').append(clean);
            }
        }
        return b.toString();
    }
}
