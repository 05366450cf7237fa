// The console's only stylesheet, served from our own origin (no CDN, no build step).
// Phone first: one column at 390 px, tables turn into stacked lists below 48rem, touch
// targets of at least 44 px, AA contrast, and a focus ring that is always visible. On a
// phone the navigation is one row that scrolls sideways (an admin's wrapped to ten rows
// above every page), with a glow at the edge that has more; it wraps again while the
// keyboard is in it (Chromium scrolls a half-hidden link no further into view). The
// dashboard's charts stand above their tables on a phone, beside them on a wide screen.
export const CONSOLE_CSS = `*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1a1a1a;background:#f6f6f3}
a{color:#0b5394}
a:hover{text-decoration-thickness:2px}
:focus-visible{outline:3px solid #f0b400;outline-offset:2px}
a:focus,button:focus,input:focus,select:focus,textarea:focus,summary:focus{outline:3px solid #f0b400;outline-offset:2px}
.skip{position:absolute;left:.5rem;top:-10rem;background:#fff;color:#0b5394;padding:.5rem 1rem;z-index:10;border:2px solid #0b5394}
.skip:focus{top:.5rem}
.top{background:#14532d;color:#fff}
.top a,.top button.link{color:#fff}
.bar{max-width:72rem;margin:0 auto;padding:.5rem 1rem;display:flex;flex-wrap:wrap;gap:.25rem 1rem;align-items:center;justify-content:space-between}
.org{font-weight:700;font-size:1.05rem}
.who{display:flex;flex-wrap:wrap;gap:.25rem .75rem;align-items:center;font-size:.95rem}
.who form{margin:0}
nav.main{background:#0f3f22}
nav.main ul{list-style:none;margin:0 auto;padding:0 .5rem;max-width:72rem;display:flex;flex-wrap:wrap}
nav.main a{display:block;color:#fff;padding:.7rem .75rem;text-decoration:none;font-weight:600}
nav.main a[aria-current=page]{box-shadow:inset 0 -4px 0 #f0b400}
main{display:block;max-width:72rem;margin:0 auto;padding:1rem}
main:focus{outline:none}
h1{font-size:1.6rem;line-height:1.25;margin:.5rem 0 1rem}
h2{font-size:1.2rem;margin:1.5rem 0 .5rem}
h3{font-size:1.05rem;margin:0}
button,.button{font:inherit;font-weight:700;border:2px solid #14532d;border-radius:4px;padding:.55rem 1rem;min-height:44px;cursor:pointer;background:#14532d;color:#fff;text-decoration:none;display:inline-flex;align-items:center;justify-content:center;gap:.35rem}
button.secondary,.button.secondary{background:#fff;color:#14532d}
button.warning{background:#a4161a;border-color:#a4161a}
button.link{background:none;border:0;padding:0;min-height:0;font-weight:400;text-decoration:underline;color:#0b5394}
label{display:block;font-weight:600;margin:.6rem 0 .2rem}
input[type=text],input[type=search],input[type=email],input[type=tel],input[type=date],select,textarea{font:inherit;width:100%;max-width:32rem;padding:.5rem;border:2px solid #5c5c57;border-radius:4px;background:#fff;color:inherit;min-height:44px}
textarea{min-height:4.5rem}
input[type=file]{font:inherit;max-width:100%;padding:.4rem 0}
fieldset{border:1px solid #d6d6cf;border-radius:6px;background:#fff;padding:.25rem 1rem 1rem;margin:0 0 1rem;min-width:0}
legend{font-weight:700;padding:0 .25rem}
.check{display:flex;gap:.6rem;align-items:flex-start;margin:.75rem 0}
.check input{width:1.4rem;height:1.4rem;margin:.1rem 0 0;flex:none}
.check label{margin:0;font-weight:400}
.hint{color:#4a4a45;font-size:.95rem;margin:.15rem 0}
.error{color:#a4161a;font-weight:600;margin:.2rem 0}
[aria-invalid=true]{border-color:#a4161a!important}
.summary{border:3px solid #a4161a;background:#fff;border-radius:6px;padding:.75rem 1rem;margin:1rem 0}
.summary a{color:#a4161a;font-weight:600}
.flash{border-left:6px solid #14532d;background:#e8f3ec;padding:.75rem 1rem;margin:0 0 1rem;font-weight:600}
.notice{border-left:6px solid #0b5394;background:#fff;padding:.75rem 1rem;margin:1rem 0}
.panel{background:#fff;border:1px solid #d6d6cf;border-radius:6px;padding:.75rem 1rem;margin:0 0 1rem}
.filters{display:grid;gap:0 1rem;grid-template-columns:repeat(auto-fill,minmax(12rem,1fr));align-items:end}
.filters .wide{grid-column:1/-1}
.actions{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;margin:.75rem 0}
.counts{list-style:none;padding:0;margin:0 0 1rem;display:flex;flex-wrap:wrap;gap:.4rem}
.counts a{display:inline-block;padding:.35rem .7rem;border:1px solid #b9b9b0;border-radius:999px;background:#fff;text-decoration:none;color:#1a1a1a}
.counts a[aria-current=true]{background:#14532d;color:#fff;border-color:#14532d}
.badge{display:inline-block;padding:.05rem .5rem;border-radius:999px;font-size:.9rem;font-weight:700;white-space:nowrap;border:1px solid currentColor}
.s-active,.s-exempt{color:#14532d;background:#e8f3ec}
.s-pending{color:#3d3d3a;background:#eeeeea}
.s-past_due{color:#7a4100;background:#fff4e0}
.s-lapsed,.s-suspended{color:#a4161a;background:#fdecec}
.s-dropped,.s-resigned{color:#3d3d3a;background:#e4e4df}
table{border-collapse:collapse;width:100%;background:#fff}
caption{text-align:left;font-weight:700;padding:.5rem 0}
th,td{text-align:left;padding:.5rem;border-bottom:1px solid #e2e2dc;vertical-align:top}
th{font-size:.9rem;color:#3d3d3a}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
dl.facts{display:grid;grid-template-columns:minmax(8rem,max-content) 1fr;gap:.35rem 1rem;margin:0}
dl.facts dt{font-weight:600;color:#3d3d3a}
dl.facts dd{margin:0}
.calls{list-style:none;padding:0;margin:0}
.call{background:#fff;border:1px solid #d6d6cf;border-left:6px solid #a4161a;border-radius:6px;padding:.75rem 1rem;margin:0 0 .75rem}
.call.promised{border-left-color:#0b5394}
.call .why{font-weight:600;margin:.25rem 0}
.call .meta{color:#4a4a45;font-size:.95rem;margin:.15rem 0}
.reach{display:flex;flex-wrap:wrap;gap:.5rem;margin:.5rem 0}
details.outcome{margin:.5rem 0 0}
details.outcome summary{cursor:pointer;font-weight:700;color:#0b5394;min-height:44px;display:flex;align-items:center}
.outcomes{display:grid;grid-template-columns:repeat(auto-fill,minmax(10rem,1fr));gap:.5rem;margin:.5rem 0}
.timeline{list-style:none;padding:0;margin:0;border-left:3px solid #d6d6cf}
.timeline li{padding:.25rem 0 .75rem 1rem;position:relative}
.timeline li::before{content:"";position:absolute;left:-.5rem;top:.6rem;width:.7rem;height:.7rem;border-radius:50%;background:#5c5c57}
.timeline time{display:block;font-size:.9rem;color:#4a4a45}
.stats{display:grid;grid-template-columns:repeat(auto-fill,minmax(9rem,1fr));gap:.5rem;margin:0}
.stats div{background:#fff;border:1px solid #d6d6cf;border-radius:6px;padding:.5rem .75rem}
.stats dt{font-size:.9rem;color:#3d3d3a}
.stats dd{margin:0;font-size:1.5rem;font-weight:700}
.pager{display:flex;gap:1rem;margin:1rem 0}
.signin{max-width:32rem;margin:2rem auto}
footer.foot{max-width:72rem;margin:2rem auto;padding:0 1rem 1rem;color:#4a4a45;font-size:.9rem}
.charts{display:grid;gap:1rem;grid-template-columns:minmax(0,1fr)}
.chart-block{background:#fff;border:1px solid #d6d6cf;border-radius:6px;padding:.75rem 1rem;min-width:0}
.chart-block h2{margin:0 0 .5rem}
.chart{margin:0 0 .75rem}
.chart-svg{display:block;width:100%;height:auto;max-width:30rem}
.legend{list-style:none;padding:0;margin:.5rem 0 0;display:flex;flex-wrap:wrap;gap:.25rem 1rem;font-size:.95rem}
.legend li{display:flex;align-items:center;gap:.35rem}
.scroll{overflow-x:auto;max-width:100%}
.scroll table{min-width:100%}
.scroll th,.scroll td{white-space:nowrap}
.scroll td.wrap{white-space:normal;min-width:14rem}
.visually-hidden{position:absolute!important;width:1px!important;height:1px!important;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
fieldset{border:1px solid #d6d6cf;border-radius:6px;background:#fff;margin:0 0 1rem;padding:.5rem 1rem 1rem;min-width:0}
legend{font-weight:700;padding:0 .25rem}
fieldset.bare{border:0;padding:0;margin:0;background:none}
.check{display:flex;flex-wrap:wrap;align-items:center;gap:0 .5rem;margin:.25rem 0}
.check input{width:1.5rem;height:1.5rem;margin:0}
.check label{margin:0;min-height:44px;display:flex;align-items:center;flex:1}
.check .hint{flex-basis:100%}
input[type=file]{font:inherit;max-width:100%}
.logo{max-width:12rem;max-height:6rem;display:block;margin:.5rem 0}
pre.payload{background:#fff;border:1px solid #d6d6cf;padding:.75rem;overflow-x:auto;max-width:100%;font-size:.85rem;white-space:pre-wrap;word-break:break-all}
.visually-hidden{position:absolute!important;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
@media (max-width:48rem){
nav.main ul{flex-wrap:nowrap;overflow-x:auto;scrollbar-width:thin;scrollbar-color:#f0b400 #0f3f22;background:linear-gradient(to right,#0f3f22 40%,rgba(15,63,34,0)) left/2rem 100% no-repeat local,linear-gradient(to left,#0f3f22 40%,rgba(15,63,34,0)) right/2rem 100% no-repeat local,radial-gradient(farthest-side at 0 50%,rgba(255,255,255,.45),rgba(255,255,255,0)) left/.75rem 100% no-repeat scroll,radial-gradient(farthest-side at 100% 50%,rgba(255,255,255,.45),rgba(255,255,255,0)) right/.75rem 100% no-repeat scroll}
nav.main li{flex:none}
nav.main a{white-space:nowrap}
nav.main ul:has(a:focus-visible){flex-wrap:wrap;overflow-x:visible;background:none}
table.stack thead{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
table.stack,table.stack tbody,table.stack tr,table.stack td,table.stack caption{display:block;width:100%}
table.stack tr{border:1px solid #d6d6cf;border-radius:6px;margin:0 0 .5rem;padding:.25rem .5rem}
table.stack td,table.stack th[scope=row]{border:0;padding:.15rem 0}
table.stack th[scope=row]{display:block;font-size:1rem;color:#1a1a1a}
table.stack td.num{text-align:left}
table.stack td,table.stack th{overflow-wrap:anywhere}
table.stack td[data-label]::before{content:attr(data-label) ": ";font-weight:600;color:#3d3d3a}
table.stack td.lead::before{content:none}
dl.facts{grid-template-columns:1fr}
dl.facts dd{margin:0 0 .4rem}
}
@media (min-width:48rem){h1{font-size:2rem}main{padding:1.5rem 1rem}}
.check{display:flex;gap:.5rem;align-items:center;margin:.6rem 0}
.check input{width:1.5rem;height:1.5rem;flex:none}
.check label{margin:0;font-weight:400}
form.inline{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center}
.signature{margin-top:3rem;border-top:1px solid #1a1a1a;max-width:20rem;padding-top:.25rem}
@media print{.top,nav.main,footer.foot,.skip,.noprint,.flash{display:none}body,table{background:#fff}main{max-width:none;padding:0}}
@media (min-width:64rem){.chart-block{display:grid;grid-template-columns:minmax(0,26rem) minmax(0,1fr);column-gap:1.5rem;align-items:start}.chart-block>h2,.chart-block>.notice{grid-column:1/-1}.chart-block thead th{white-space:normal;vertical-align:bottom}}
`;
