/** Shown in the browser when the provider signed someone in whom this deployment does not let in. */
export const deniedPage = `<!doctype html>
<html>
  <head><meta charset="utf-8"><title>Login denied</title></head>
  <body style="font-family: sans-serif; max-width: 600px; margin: 80px auto; text-align: center;">
    <h1>Login denied</h1>
    <p>This account may not use this service. Contact your administrator if this is in error.</p>
  </body>
</html>`
