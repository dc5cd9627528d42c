package io.batpak.web;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.lang.reflect.Method;
import java.util.Map;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;

/**
 * The MicroProfile OpenAPI filter (named by {@code mp.openapi.filter}) that makes the served
 * {@code /openapi} document plain OpenAPI 3: Payara adds a top-level {@code endpoints} map of its
 * own, which is not part of the OpenAPI schema, so validators and client generators refuse the
 * document. Payara has no setting to switch it off (its model sets it whenever the document has
 * paths), and the MicroProfile model API has no accessor for it, so this clears it through the
 * public {@code setEndpoints} method of Payara's model class, found by reflection: the application
 * cannot compile against Payara's implementation, and on a server without that method (WildFly's
 * SmallRye) there is nothing to remove. Payara writes the document with empty values omitted, so an
 * empty map drops the key. Stateless and thread-safe.
 */
public class OpenApiDocumentFilter implements OASFilter {
    private static final Logger LOG = System.getLogger(OpenApiDocumentFilter.class.getName());

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        Method setter;
        try {
            setter = openAPI.getClass().getMethod("setEndpoints", Map.class);
        } catch (NoSuchMethodException notPayara) {
            return;
        }
        try {
            setter.invoke(openAPI, Map.of());
        } catch (ReflectiveOperationException | RuntimeException e) {
            // The document stays servable; OpenApiIT would then see the key and fail the build.
            LOG.log(Level.WARNING, "could not remove Payara's endpoints extension from /openapi: {0}", e.toString());
        }
    }
}
