import { createHash } from 'node:crypto';

// The signup page's only stylesheet, served by our own route (no third-party assets).
// Mobile first: one column that reads at 320 px, large touch targets, AA contrast, and a
// visible focus ring for keyboard use. `:has()` folds away the wage questions of plans not
// chosen; browsers without it simply show them all.
export const SIGNUP_CSS = `*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1a1a1a;background:#f6f6f3}
main{max-width:36rem;margin:0 auto;padding:1rem}
header{display:flex;justify-content:space-between;align-items:baseline;gap:1rem;flex-wrap:wrap}
h1{font-size:1.6rem;line-height:1.25;margin:.5rem 0}
h2{font-size:1.15rem;margin:0 0 .5rem}
a{color:#0b5394}
a:focus,input:focus,select:focus,button:focus,summary:focus{outline:3px solid #f0b400;outline-offset:2px}
fieldset{border:1px solid #c8c8c0;border-radius:6px;margin:1rem 0;padding:.75rem 1rem;background:#fff;min-width:0}
legend{font-weight:700;padding:0 .25rem}
label{display:block;font-weight:600;margin:.75rem 0 .25rem}
.field:first-of-type label{margin-top:.25rem}
input[type=text],input[type=email],input[type=tel],input[type=number],select{font:inherit;width:100%;padding:.6rem;border:2px solid #5c5c57;border-radius:4px;background:#fff;color:inherit}
.choice{display:flex;gap:.6rem;align-items:flex-start;margin:.5rem 0}
.choice input{width:1.4rem;height:1.4rem;margin:.15rem 0 0;flex:none}
.choice label{margin:0;font-weight:400}
.plan{border-top:1px solid #e2e2dc;padding:.5rem 0}
.plan:first-of-type{border-top:0}
.facts{margin:0 0 .5rem 2rem}
.facts:empty{display:none}
.plans:has(input[name=plan]:checked) .plan:not(:has(input[name=plan]:checked)) .facts{display:none}
.hint{color:#4a4a45;font-size:.95rem;margin:.25rem 0}
.dues{font-weight:700;color:#14532d;margin:.5rem 0}
.error{color:#a4161a;font-weight:600;margin:.25rem 0}
.invalid input,.invalid select,input[aria-invalid=true]{border-color:#a4161a}
.summary{border:3px solid #a4161a;background:#fff;border-radius:6px;padding:.75rem 1rem;margin:1rem 0}
.summary ul{margin:.25rem 0 0;padding-left:1.2rem}
.summary a{color:#a4161a;font-weight:600}
.notice{border-left:5px solid #0b5394;background:#fff;padding:.75rem 1rem;margin:1rem 0}
.authorization{background:#f6f6f3;border-radius:4px;padding:.5rem .75rem;white-space:pre-line}
button{font:inherit;font-weight:700;border:0;border-radius:4px;padding:.8rem 1.2rem;min-height:44px;cursor:pointer;background:#14532d;color:#fff;width:100%}
button.secondary{background:#fff;color:#14532d;border:2px solid #14532d;width:auto;padding:.4rem .9rem}
.answers{background:#fff;border:1px solid #c8c8c0;border-radius:6px;padding:.25rem 1rem;margin:1rem 0}
.answers div{border-top:1px solid #e2e2dc;padding:.5rem 0}
.answers div:first-child{border-top:0}
.answers dt{font-weight:600}
.answers dd{margin:0}
.hp{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}
.logo{display:block;height:4rem;width:auto;max-width:100%;object-fit:contain;object-position:left;margin:.5rem 0 0}
.about{background:#fff;border:1px solid #c8c8c0;border-radius:6px;padding:.75rem 1rem;margin:1rem 0}
.about p{white-space:pre-line;margin:.25rem 0}
footer{font-size:.9rem;color:#4a4a45;margin:2rem 0 1rem}
@media (min-width:40rem){main{padding:2rem 1rem}h1{font-size:2rem}}
`;

export const SIGNUP_CSS_ETAG = `"${createHash('sha256').update(SIGNUP_CSS).digest('base64url').slice(0, 16)}"`;
/** Versioned by content, so it can be cached for a year and still change on deploy. */
export const SIGNUP_CSS_PATH = `/join/assets/signup.css?v=${SIGNUP_CSS_ETAG.slice(1, 9)}`;
