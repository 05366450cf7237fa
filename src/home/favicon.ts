import type { RouteDefinition } from '../http/routes';

// A green check in a circle, 32×32 (a PNG in an .ico): every browser asks for /favicon.ico,
// and without one each page view logged a 404.
const FAVICON = Buffer.from(
  'AAABAAEAICAAAAEAIADUAAAAFgAAAIlQTkcNChoKAAAADUlIRFIAAAAgAAAAIAgGAAAAc3p69AAAAJtJREFUeNrtl9EJgDAMRDuEaziN+8+ivwVtud7lTAQP+pv3CiVNWvtatmM/ZycFapVh4bKECpZEouFLEi44LJEq4IZPJaIhfSAJF3wkYRMYZSrwNvwmkQGHBZBCDBwSQAqycErgqTALpwV6gHL75TeAhuqI7AtX4Mu9wApHe0EUXGrFEXD5R7TA/4mozFBaYiwvsZiUWc1KLKfOXP0Ia7x8rCJDAAAAAElFTkSuQmCC',
  'base64',
);

export const faviconRoute: RouteDefinition = {
  method: 'get',
  path: '/favicon.ico',
  access: 'public',
  summary: "The service's icon",
  handler: (_req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=604800, immutable');
    res.type('image/x-icon').send(FAVICON);
  },
};
