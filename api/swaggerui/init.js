// Starts Swagger UI on the document this server serves. It is a file of its
// own, not an inline script, so the page's Content-Security-Policy can
// forbid inline scripts.
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/api/schema/?format=json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    // Keep the token pasted into "Authorize" across reloads.
    persistAuthorization: true,
    // "Try it out" sends real requests: make it a deliberate click.
    tryItOutEnabled: false,
    displayRequestDuration: true,
    // No badge from the public validator: this page makes no outside requests.
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
});
