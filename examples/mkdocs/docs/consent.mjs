// The consent banner on every page: the configuration policygen built next to the policies.
import config from "./privacy/optingo/cookie-consent.js";

window.CookieConsent.run(config);
