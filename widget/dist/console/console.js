var Vt=Object.defineProperty;var Ft=(a,t,e)=>t in a?Vt(a,t,{enumerable:!0,configurable:!0,writable:!0,value:e}):a[t]=e;var T=(a,t,e)=>Ft(a,typeof t!="symbol"?t+"":t,e);var F=globalThis,J=F.ShadowRoot&&(F.ShadyCSS===void 0||F.ShadyCSS.nativeShadow)&&"adoptedStyleSheets"in Document.prototype&&"replace"in CSSStyleSheet.prototype,Y=Symbol(),$t=new WeakMap,j=class{constructor(t,e,s){if(this._$cssResult$=!0,s!==Y)throw Error("CSSResult is not constructable. Use `unsafeCSS` or `css` instead.");this.cssText=t,this.t=e}get styleSheet(){let t=this.o,e=this.t;if(J&&t===void 0){let s=e!==void 0&&e.length===1;s&&(t=$t.get(e)),t===void 0&&((this.o=t=new CSSStyleSheet).replaceSync(this.cssText),s&&$t.set(e,t))}return t}toString(){return this.cssText}},yt=a=>new j(typeof a=="string"?a:a+"",void 0,Y),O=(a,...t)=>{let e=a.length===1?a[0]:t.reduce((s,i,o)=>s+(n=>{if(n._$cssResult$===!0)return n.cssText;if(typeof n=="number")return n;throw Error("Value passed to 'css' function must be a 'css' function result: "+n+". Use 'unsafeCSS' to pass non-literal values, but take care to ensure page security.")})(i)+a[o+1],a[0]);return new j(e,a,Y)},vt=(a,t)=>{if(J)a.adoptedStyleSheets=t.map(e=>e instanceof CSSStyleSheet?e:e.styleSheet);else for(let e of t){let s=document.createElement("style"),i=F.litNonce;i!==void 0&&s.setAttribute("nonce",i),s.textContent=e.cssText,a.appendChild(s)}},X=J?a=>a:a=>a instanceof CSSStyleSheet?(t=>{let e="";for(let s of t.cssRules)e+=s.cssText;return yt(e)})(a):a;var{is:Jt,defineProperty:Kt,getOwnPropertyDescriptor:Wt,getOwnPropertyNames:Gt,getOwnPropertySymbols:Zt,getPrototypeOf:Qt}=Object,K=globalThis,xt=K.trustedTypes,Yt=xt?xt.emptyScript:"",Xt=K.reactiveElementPolyfillSupport,z=(a,t)=>a,tt={toAttribute(a,t){switch(t){case Boolean:a=a?Yt:null;break;case Object:case Array:a=a==null?a:JSON.stringify(a)}return a},fromAttribute(a,t){let e=a;switch(t){case Boolean:e=a!==null;break;case Number:e=a===null?null:Number(a);break;case Object:case Array:try{e=JSON.parse(a)}catch{e=null}}return e}},kt=(a,t)=>!Jt(a,t),wt={attribute:!0,type:String,converter:tt,reflect:!1,useDefault:!1,hasChanged:kt};Symbol.metadata??=Symbol("metadata"),K.litPropertyMetadata??=new WeakMap;var $=class extends HTMLElement{static addInitializer(t){this._$Ei(),(this.l??=[]).push(t)}static get observedAttributes(){return this.finalize(),this._$Eh&&[...this._$Eh.keys()]}static createProperty(t,e=wt){if(e.state&&(e.attribute=!1),this._$Ei(),this.prototype.hasOwnProperty(t)&&((e=Object.create(e)).wrapped=!0),this.elementProperties.set(t,e),!e.noAccessor){let s=Symbol(),i=this.getPropertyDescriptor(t,s,e);i!==void 0&&Kt(this.prototype,t,i)}}static getPropertyDescriptor(t,e,s){let{get:i,set:o}=Wt(this.prototype,t)??{get(){return this[e]},set(n){this[e]=n}};return{get:i,set(n){let d=i?.call(this);o?.call(this,n),this.requestUpdate(t,d,s)},configurable:!0,enumerable:!0}}static getPropertyOptions(t){return this.elementProperties.get(t)??wt}static _$Ei(){if(this.hasOwnProperty(z("elementProperties")))return;let t=Qt(this);t.finalize(),t.l!==void 0&&(this.l=[...t.l]),this.elementProperties=new Map(t.elementProperties)}static finalize(){if(this.hasOwnProperty(z("finalized")))return;if(this.finalized=!0,this._$Ei(),this.hasOwnProperty(z("properties"))){let e=this.properties,s=[...Gt(e),...Zt(e)];for(let i of s)this.createProperty(i,e[i])}let t=this[Symbol.metadata];if(t!==null){let e=litPropertyMetadata.get(t);if(e!==void 0)for(let[s,i]of e)this.elementProperties.set(s,i)}this._$Eh=new Map;for(let[e,s]of this.elementProperties){let i=this._$Eu(e,s);i!==void 0&&this._$Eh.set(i,e)}this.elementStyles=this.finalizeStyles(this.styles)}static finalizeStyles(t){let e=[];if(Array.isArray(t)){let s=new Set(t.flat(1/0).reverse());for(let i of s)e.unshift(X(i))}else t!==void 0&&e.push(X(t));return e}static _$Eu(t,e){let s=e.attribute;return s===!1?void 0:typeof s=="string"?s:typeof t=="string"?t.toLowerCase():void 0}constructor(){super(),this._$Ep=void 0,this.isUpdatePending=!1,this.hasUpdated=!1,this._$Em=null,this._$Ev()}_$Ev(){this._$ES=new Promise(t=>this.enableUpdating=t),this._$AL=new Map,this._$E_(),this.requestUpdate(),this.constructor.l?.forEach(t=>t(this))}addController(t){(this._$EO??=new Set).add(t),this.renderRoot!==void 0&&this.isConnected&&t.hostConnected?.()}removeController(t){this._$EO?.delete(t)}_$E_(){let t=new Map,e=this.constructor.elementProperties;for(let s of e.keys())this.hasOwnProperty(s)&&(t.set(s,this[s]),delete this[s]);t.size>0&&(this._$Ep=t)}createRenderRoot(){let t=this.shadowRoot??this.attachShadow(this.constructor.shadowRootOptions);return vt(t,this.constructor.elementStyles),t}connectedCallback(){this.renderRoot??=this.createRenderRoot(),this.enableUpdating(!0),this._$EO?.forEach(t=>t.hostConnected?.())}enableUpdating(t){}disconnectedCallback(){this._$EO?.forEach(t=>t.hostDisconnected?.())}attributeChangedCallback(t,e,s){this._$AK(t,s)}_$ET(t,e){let s=this.constructor.elementProperties.get(t),i=this.constructor._$Eu(t,s);if(i!==void 0&&s.reflect===!0){let o=(s.converter?.toAttribute!==void 0?s.converter:tt).toAttribute(e,s.type);this._$Em=t,o==null?this.removeAttribute(i):this.setAttribute(i,o),this._$Em=null}}_$AK(t,e){let s=this.constructor,i=s._$Eh.get(t);if(i!==void 0&&this._$Em!==i){let o=s.getPropertyOptions(i),n=typeof o.converter=="function"?{fromAttribute:o.converter}:o.converter?.fromAttribute!==void 0?o.converter:tt;this._$Em=i;let d=n.fromAttribute(e,o.type);this[i]=d??this._$Ej?.get(i)??d,this._$Em=null}}requestUpdate(t,e,s,i=!1,o){if(t!==void 0){let n=this.constructor;if(i===!1&&(o=this[t]),s??=n.getPropertyOptions(t),!((s.hasChanged??kt)(o,e)||s.useDefault&&s.reflect&&o===this._$Ej?.get(t)&&!this.hasAttribute(n._$Eu(t,s))))return;this.C(t,e,s)}this.isUpdatePending===!1&&(this._$ES=this._$EP())}C(t,e,{useDefault:s,reflect:i,wrapped:o},n){s&&!(this._$Ej??=new Map).has(t)&&(this._$Ej.set(t,n??e??this[t]),o!==!0||n!==void 0)||(this._$AL.has(t)||(this.hasUpdated||s||(e=void 0),this._$AL.set(t,e)),i===!0&&this._$Em!==t&&(this._$Eq??=new Set).add(t))}async _$EP(){this.isUpdatePending=!0;try{await this._$ES}catch(e){Promise.reject(e)}let t=this.scheduleUpdate();return t!=null&&await t,!this.isUpdatePending}scheduleUpdate(){return this.performUpdate()}performUpdate(){if(!this.isUpdatePending)return;if(!this.hasUpdated){if(this.renderRoot??=this.createRenderRoot(),this._$Ep){for(let[i,o]of this._$Ep)this[i]=o;this._$Ep=void 0}let s=this.constructor.elementProperties;if(s.size>0)for(let[i,o]of s){let{wrapped:n}=o,d=this[i];n!==!0||this._$AL.has(i)||d===void 0||this.C(i,void 0,o,d)}}let t=!1,e=this._$AL;try{t=this.shouldUpdate(e),t?(this.willUpdate(e),this._$EO?.forEach(s=>s.hostUpdate?.()),this.update(e)):this._$EM()}catch(s){throw t=!1,this._$EM(),s}t&&this._$AE(e)}willUpdate(t){}_$AE(t){this._$EO?.forEach(e=>e.hostUpdated?.()),this.hasUpdated||(this.hasUpdated=!0,this.firstUpdated(t)),this.updated(t)}_$EM(){this._$AL=new Map,this.isUpdatePending=!1}get updateComplete(){return this.getUpdateComplete()}getUpdateComplete(){return this._$ES}shouldUpdate(t){return!0}update(t){this._$Eq&&=this._$Eq.forEach(e=>this._$ET(e,this[e])),this._$EM()}updated(t){}firstUpdated(t){}};$.elementStyles=[],$.shadowRootOptions={mode:"open"},$[z("elementProperties")]=new Map,$[z("finalized")]=new Map,Xt?.({ReactiveElement:$}),(K.reactiveElementVersions??=[]).push("2.1.2");var rt=globalThis,St=a=>a,W=rt.trustedTypes,At=W?W.createPolicy("lit-html",{createHTML:a=>a}):void 0,It="$lit$",y=`lit$${Math.random().toFixed(9).slice(2)}$`,Pt="?"+y,te=`<${Pt}>`,S=document,D=()=>S.createComment(""),U=a=>a===null||typeof a!="object"&&typeof a!="function",lt=Array.isArray,ee=a=>lt(a)||typeof a?.[Symbol.iterator]=="function",et=`[ 	
\f\r]`,L=/<(?:(!--|\/[^a-zA-Z])|(\/?[a-zA-Z][^>\s]*)|(\/?$))/g,Et=/-->/g,Ct=/>/g,w=RegExp(`>|${et}(?:([^\\s"'>=/]+)(${et}*=${et}*(?:[^ 	
\f\r"'\`<>=]|("|')|))|$)`,"g"),Mt=/'/g,Tt=/"/g,jt=/^(?:script|style|textarea|title)$/i,dt=a=>(t,...e)=>({_$litType$:a,strings:t,values:e}),r=dt(1),ct=dt(2),Se=dt(3),A=Symbol.for("lit-noChange"),l=Symbol.for("lit-nothing"),Nt=new WeakMap,k=S.createTreeWalker(S,129);function Ot(a,t){if(!lt(a)||!a.hasOwnProperty("raw"))throw Error("invalid template strings array");return At!==void 0?At.createHTML(t):t}var se=(a,t)=>{let e=a.length-1,s=[],i,o=t===2?"<svg>":t===3?"<math>":"",n=L;for(let d=0;d<e;d++){let c=a[d],p,f,h=-1,m=0;for(;m<c.length&&(n.lastIndex=m,f=n.exec(c),f!==null);)m=n.lastIndex,n===L?f[1]==="!--"?n=Et:f[1]!==void 0?n=Ct:f[2]!==void 0?(jt.test(f[2])&&(i=RegExp("</"+f[2],"g")),n=w):f[3]!==void 0&&(n=w):n===w?f[0]===">"?(n=i??L,h=-1):f[1]===void 0?h=-2:(h=n.lastIndex-f[2].length,p=f[1],n=f[3]===void 0?w:f[3]==='"'?Tt:Mt):n===Tt||n===Mt?n=w:n===Et||n===Ct?n=L:(n=w,i=void 0);let b=n===w&&a[d+1].startsWith("/>")?" ":"";o+=n===L?c+te:h>=0?(s.push(p),c.slice(0,h)+It+c.slice(h)+y+b):c+y+(h===-2?d:b)}return[Ot(a,o+(a[e]||"<?>")+(t===2?"</svg>":t===3?"</math>":"")),s]},R=class a{constructor({strings:t,_$litType$:e},s){let i;this.parts=[];let o=0,n=0,d=t.length-1,c=this.parts,[p,f]=se(t,e);if(this.el=a.createElement(p,s),k.currentNode=this.el.content,e===2||e===3){let h=this.el.content.firstChild;h.replaceWith(...h.childNodes)}for(;(i=k.nextNode())!==null&&c.length<d;){if(i.nodeType===1){if(i.hasAttributes())for(let h of i.getAttributeNames())if(h.endsWith(It)){let m=f[n++],b=i.getAttribute(h).split(y),x=/([.?@])?(.*)/.exec(m);c.push({type:1,index:o,name:x[2],strings:b,ctor:x[1]==="."?it:x[1]==="?"?at:x[1]==="@"?ot:I}),i.removeAttribute(h)}else h.startsWith(y)&&(c.push({type:6,index:o}),i.removeAttribute(h));if(jt.test(i.tagName)){let h=i.textContent.split(y),m=h.length-1;if(m>0){i.textContent=W?W.emptyScript:"";for(let b=0;b<m;b++)i.append(h[b],D()),k.nextNode(),c.push({type:2,index:++o});i.append(h[m],D())}}}else if(i.nodeType===8)if(i.data===Pt)c.push({type:2,index:o});else{let h=-1;for(;(h=i.data.indexOf(y,h+1))!==-1;)c.push({type:7,index:o}),h+=y.length-1}o++}}static createElement(t,e){let s=S.createElement("template");return s.innerHTML=t,s}};function N(a,t,e=a,s){if(t===A)return t;let i=s!==void 0?e._$Co?.[s]:e._$Cl,o=U(t)?void 0:t._$litDirective$;return i?.constructor!==o&&(i?._$AO?.(!1),o===void 0?i=void 0:(i=new o(a),i._$AT(a,e,s)),s!==void 0?(e._$Co??=[])[s]=i:e._$Cl=i),i!==void 0&&(t=N(a,i._$AS(a,t.values),i,s)),t}var st=class{constructor(t,e){this._$AV=[],this._$AN=void 0,this._$AD=t,this._$AM=e}get parentNode(){return this._$AM.parentNode}get _$AU(){return this._$AM._$AU}u(t){let{el:{content:e},parts:s}=this._$AD,i=(t?.creationScope??S).importNode(e,!0);k.currentNode=i;let o=k.nextNode(),n=0,d=0,c=s[0];for(;c!==void 0;){if(n===c.index){let p;c.type===2?p=new H(o,o.nextSibling,this,t):c.type===1?p=new c.ctor(o,c.name,c.strings,this,t):c.type===6&&(p=new nt(o,this,t)),this._$AV.push(p),c=s[++d]}n!==c?.index&&(o=k.nextNode(),n++)}return k.currentNode=S,i}p(t){let e=0;for(let s of this._$AV)s!==void 0&&(s.strings!==void 0?(s._$AI(t,s,e),e+=s.strings.length-2):s._$AI(t[e])),e++}},H=class a{get _$AU(){return this._$AM?._$AU??this._$Cv}constructor(t,e,s,i){this.type=2,this._$AH=l,this._$AN=void 0,this._$AA=t,this._$AB=e,this._$AM=s,this.options=i,this._$Cv=i?.isConnected??!0}get parentNode(){let t=this._$AA.parentNode,e=this._$AM;return e!==void 0&&t?.nodeType===11&&(t=e.parentNode),t}get startNode(){return this._$AA}get endNode(){return this._$AB}_$AI(t,e=this){t=N(this,t,e),U(t)?t===l||t==null||t===""?(this._$AH!==l&&this._$AR(),this._$AH=l):t!==this._$AH&&t!==A&&this._(t):t._$litType$!==void 0?this.$(t):t.nodeType!==void 0?this.T(t):ee(t)?this.k(t):this._(t)}O(t){return this._$AA.parentNode.insertBefore(t,this._$AB)}T(t){this._$AH!==t&&(this._$AR(),this._$AH=this.O(t))}_(t){this._$AH!==l&&U(this._$AH)?this._$AA.nextSibling.data=t:this.T(S.createTextNode(t)),this._$AH=t}$(t){let{values:e,_$litType$:s}=t,i=typeof s=="number"?this._$AC(t):(s.el===void 0&&(s.el=R.createElement(Ot(s.h,s.h[0]),this.options)),s);if(this._$AH?._$AD===i)this._$AH.p(e);else{let o=new st(i,this),n=o.u(this.options);o.p(e),this.T(n),this._$AH=o}}_$AC(t){let e=Nt.get(t.strings);return e===void 0&&Nt.set(t.strings,e=new R(t)),e}k(t){lt(this._$AH)||(this._$AH=[],this._$AR());let e=this._$AH,s,i=0;for(let o of t)i===e.length?e.push(s=new a(this.O(D()),this.O(D()),this,this.options)):s=e[i],s._$AI(o),i++;i<e.length&&(this._$AR(s&&s._$AB.nextSibling,i),e.length=i)}_$AR(t=this._$AA.nextSibling,e){for(this._$AP?.(!1,!0,e);t!==this._$AB;){let s=St(t).nextSibling;St(t).remove(),t=s}}setConnected(t){this._$AM===void 0&&(this._$Cv=t,this._$AP?.(t))}},I=class{get tagName(){return this.element.tagName}get _$AU(){return this._$AM._$AU}constructor(t,e,s,i,o){this.type=1,this._$AH=l,this._$AN=void 0,this.element=t,this.name=e,this._$AM=i,this.options=o,s.length>2||s[0]!==""||s[1]!==""?(this._$AH=Array(s.length-1).fill(new String),this.strings=s):this._$AH=l}_$AI(t,e=this,s,i){let o=this.strings,n=!1;if(o===void 0)t=N(this,t,e,0),n=!U(t)||t!==this._$AH&&t!==A,n&&(this._$AH=t);else{let d=t,c,p;for(t=o[0],c=0;c<o.length-1;c++)p=N(this,d[s+c],e,c),p===A&&(p=this._$AH[c]),n||=!U(p)||p!==this._$AH[c],p===l?t=l:t!==l&&(t+=(p??"")+o[c+1]),this._$AH[c]=p}n&&!i&&this.j(t)}j(t){t===l?this.element.removeAttribute(this.name):this.element.setAttribute(this.name,t??"")}},it=class extends I{constructor(){super(...arguments),this.type=3}j(t){this.element[this.name]=t===l?void 0:t}},at=class extends I{constructor(){super(...arguments),this.type=4}j(t){this.element.toggleAttribute(this.name,!!t&&t!==l)}},ot=class extends I{constructor(t,e,s,i,o){super(t,e,s,i,o),this.type=5}_$AI(t,e=this){if((t=N(this,t,e,0)??l)===A)return;let s=this._$AH,i=t===l&&s!==l||t.capture!==s.capture||t.once!==s.once||t.passive!==s.passive,o=t!==l&&(s===l||i);i&&this.element.removeEventListener(this.name,this,s),o&&this.element.addEventListener(this.name,this,t),this._$AH=t}handleEvent(t){typeof this._$AH=="function"?this._$AH.call(this.options?.host??this.element,t):this._$AH.handleEvent(t)}},nt=class{constructor(t,e,s){this.element=t,this.type=6,this._$AN=void 0,this._$AM=e,this.options=s}get _$AU(){return this._$AM._$AU}_$AI(t){N(this,t)}};var ie=rt.litHtmlPolyfillSupport;ie?.(R,H),(rt.litHtmlVersions??=[]).push("3.3.3");var zt=(a,t,e)=>{let s=e?.renderBefore??t,i=s._$litPart$;if(i===void 0){let o=e?.renderBefore??null;s._$litPart$=i=new H(t.insertBefore(D(),o),o,void 0,e??{})}return i._$AI(a),i};var ht=globalThis,_=class extends ${constructor(){super(...arguments),this.renderOptions={host:this},this._$Do=void 0}createRenderRoot(){let t=super.createRenderRoot();return this.renderOptions.renderBefore??=t.firstChild,t}update(t){let e=this.render();this.hasUpdated||(this.renderOptions.isConnected=this.isConnected),super.update(t),this._$Do=zt(e,this.renderRoot,this.renderOptions)}connectedCallback(){super.connectedCallback(),this._$Do?.setConnected(!0)}disconnectedCallback(){super.disconnectedCallback(),this._$Do?.setConnected(!1)}render(){return A}};_._$litElement$=!0,_.finalized=!0,ht.litElementHydrateSupport?.({LitElement:_});var ae=ht.litElementPolyfillSupport;ae?.({LitElement:_});(ht.litElementVersions??=[]).push("4.2.2");var G=class extends Error{constructor(t,e,s=[],i=""){super(e),this.status=t,this.errors=s,this.trackingId=i}};function oe(a){if(!a)return;let t=a.trim();return/^(SharedAccessSignature|Bearer)\s/i.test(t)?t:`SharedAccessSignature ${t}`}function ne(a){return(a||"").trim().replace(/^(SharedAccessSignature|Bearer)\s+/i,"")}var E=class{constructor({baseUrl:t="",token:e="",organizationId:s="",log:i=()=>{}}={}){this.baseUrl=(t||"").replace(/\/+$/,""),this.token=e,this.organizationId=s||"",this.log=i}url(t,e){let s=this.baseUrl+t;if(this.organizationId&&(e={organizationId:this.organizationId,...e}),e){let i=new URLSearchParams;for(let[n,d]of Object.entries(e))d!=null&&d!==""&&i.set(n,String(d));let o=i.toString();o&&(s+=(s.includes("?")?"&":"?")+o)}return s}async request(t,e,{query:s,body:i,contentType:o="application/json"}={}){let n={Accept:"application/json"},d=oe(this.token);d&&(n.Authorization=d),i!==void 0&&(n["Content-Type"]=o);let c=this.url(e,s);this.log(t,c);let p;try{p=await fetch(c,{method:t,headers:n,body:i===void 0?void 0:JSON.stringify(i)})}catch(m){throw new G(0,re(c,m))}let f=await p.text(),h=null;try{h=f?JSON.parse(f):null}catch{h=null}if(!p.ok){let m=h&&h.message||`${p.status} ${p.statusText||"error"}`,b=(h&&Array.isArray(h.errors)?h.errors:[]).filter(x=>x&&x!==m);throw new G(p.status,m,b,h&&h.trackingId||"")}return h}get(t,e){return this.request("GET",t,{query:e})}post(t,e){return this.request("POST",t,{body:e})}patch(t,e){return this.request("PATCH",t,{body:e})}stream(t,e={}){let s={...e},i=ne(this.token);i&&(s.bearerToken=i);let o=this.url(t,s);return this.log("SSE",o.replace(/bearerToken=[^&]*/,"bearerToken=…")),new EventSource(o)}};function re(a,t){let e=globalThis.location?.origin,s="";try{s=new URL(a,globalThis.location?.href).origin}catch{s=""}return e&&s&&e!==s?`Cannot reach ${s}: ${t.message}. If it is running, it does not allow this page's origin ${e}: add it to cors.allowOrigins in its configuration (JDS_CORS_ORIGINS).`:`Cannot reach the server: ${t.message}`}var u=encodeURIComponent;function g(a){if(!a)return"";let t=a.errors&&a.errors.length?` (${a.errors.join("; ")})`:"";return`${a.message}${t}`}var ut={blue:"#1d6ae5",green:"#1f8a4c",black:"#1f2328",olive:"#6b7a1f",cyan:"#0a8aa8",violet:"#7b4fd6",red:"#d1343b",gray:"#6b7280",orange:"#d9650b",lime:"#5c9a0f",cobalt:"#0047ab",purple:"#8e2db5",yellow:"#b58a00",gold:"#b8860b",mint:"#13a386",slate:"#475569",pink:"#d63384"},Dt="slate",Ut={phone:"M22 16.9v3a2 2 0 0 1-2.2 2 19.8 19.8 0 0 1-8.6-3.1 19.5 19.5 0 0 1-6-6A19.8 19.8 0 0 1 2.1 4.2 2 2 0 0 1 4.1 2h3a2 2 0 0 1 2 1.7c.1 1 .4 1.9.7 2.8a2 2 0 0 1-.5 2.1L8 9.9a16 16 0 0 0 6 6l1.3-1.3a2 2 0 0 1 2.1-.4c.9.3 1.8.6 2.8.7a2 2 0 0 1 1.7 2z",sms:"M21 15a2 2 0 0 1-2 2H7l-4 4V5a2 2 0 0 1 2-2h14a2 2 0 0 1 2 2zM8 9h8M8 13h5",email:"M4 4h16a2 2 0 0 1 2 2v12a2 2 0 0 1-2 2H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2zM22 6l-10 7L2 6",chat:"M21 11.5a8.4 8.4 0 0 1-9 8.4 8.5 8.5 0 0 1-3.8-.9L3 21l1.9-5.2A8.4 8.4 0 0 1 12 3a8.5 8.5 0 0 1 9 8.5z",web:"M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zM2 12h20M12 2a15.3 15.3 0 0 1 4 10 15.3 15.3 0 0 1-4 10 15.3 15.3 0 0 1-4-10 15.3 15.3 0 0 1 4-10z",payment:"M3 5h18a1 1 0 0 1 1 1v12a1 1 0 0 1-1 1H3a1 1 0 0 1-1-1V6a1 1 0 0 1 1-1zM2 10h20M6 15h4",login:"M15 3h4a2 2 0 0 1 2 2v14a2 2 0 0 1-2 2h-4M10 17l5-5-5-5M15 12H3",bell:"M18 8a6 6 0 0 0-12 0c0 7-3 9-3 9h18s-3-2-3-9M13.7 21a2 2 0 0 1-3.4 0",home:"M3 10l9-7 9 7v10a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2zM9 22V12h6v10",video:"M23 7l-7 5 7 5V7zM3 5h11a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H3a2 2 0 0 1-2-2V7a2 2 0 0 1 2-2z",user:"M20 21v-2a4 4 0 0 0-4-4H8a4 4 0 0 0-4 4v2M12 3a4 4 0 1 0 0 8 4 4 0 0 0 0-8z",queue:"M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zM12 6v6l4 2",social:"M18 2h-3a5 5 0 0 0-5 5v3H7v4h3v8h4v-8h3l1-4h-4V7a1 1 0 0 1 1-1h3z",agent:"M3 18v-6a9 9 0 0 1 18 0v6M21 19a2 2 0 0 1-2 2h-1a2 2 0 0 1-2-2v-3a2 2 0 0 1 2-2h3zM3 19a2 2 0 0 0 2 2h1a2 2 0 0 0 2-2v-3a2 2 0 0 0-2-2H3z",event:"M12 8a4 4 0 1 0 0 8 4 4 0 0 0 0-8z"},le={Voice:{icon:"phone",color:"blue"},Call:{icon:"phone",color:"blue"},Telephony:{icon:"phone",color:"blue"},IVR:{icon:"phone",color:"cobalt"},"Queued Caller":{icon:"queue",color:"orange"},"Closed Queue":{icon:"queue",color:"red"},SMS:{icon:"sms",color:"green"},WhatsApp:{icon:"sms",color:"mint"},Email:{icon:"email",color:"violet"},Chat:{icon:"chat",color:"cyan"},Messenger:{icon:"chat",color:"cobalt"},Social:{icon:"social",color:"cobalt"},Web:{icon:"web",color:"cyan"},Website:{icon:"web",color:"cyan"},NewVisit:{icon:"web",color:"cyan"},MortgageRates:{icon:"home",color:"olive"},Payment:{icon:"payment",color:"gold"},"Payment Notify":{icon:"bell",color:"red"},Notification:{icon:"bell",color:"orange"},LoginUser:{icon:"login",color:"purple"},Login:{icon:"login",color:"purple"},Webex:{icon:"agent",color:"black"},Agent:{icon:"agent",color:"black"},Video:{icon:"video",color:"pink"}},Z={icon:"event",color:Dt},de={handset:"phone",call:"phone","incoming-call":"phone","outgoing-call":"phone",ivr:"phone",voice:"phone",dialpad:"phone",message:"sms",whatsapp:"sms",text:"sms",mail:"email",envelope:"email",inbox:"email","chat-group":"chat",messenger:"chat","chat-active":"chat",browser:"web",globe:"web",language:"web",website:"web",link:"web","credit-card":"payment",wallet:"payment",card:"payment",cart:"payment","shopping-cart":"payment","sign-in":"login",unlock:"login",lock:"login",key:"login",alert:"bell",notification:"bell","alert-active":"bell",warning:"bell",info:"bell",house:"home",camera:"video","video-call":"video",meetings:"video",person:"user",people:"user","contact-card":"user",contact:"user",profile:"user",recents:"queue",clock:"queue",time:"queue",hourglass:"queue",waiting:"queue",facebook:"social",twitter:"social",instagram:"social",linkedin:"social",share:"social",headset:"agent","customer-service":"agent","headset-alt":"agent"};function ce(a){let t=String(a||"").toLowerCase().replace(/^icon-/,"").replace(/_\d+$/,"").replace(/-(filled|bold|light|regular|active)$/,"");return Ut[t]?t:de[t]||Z.icon}function pt(a){if(!(!a||typeof a!="object"))return a.icon?a:a.name?{icon:ce(a.name),color:a.color}:a.color?{icon:Z.icon,color:a.color}:void 0}function Lt(a,t,e=!0){if(!a||typeof a!="object")return;if(a[t])return pt(a[t]);let s=t.toLowerCase();for(let i of Object.keys(a))if(i.toLowerCase()===s)return pt(a[i]);if(e)for(let i of Object.keys(a)){let o;try{o=new RegExp(i,"i")}catch{continue}if(o.test(t))return pt(a[i])}}function Q(a,t){let e=String(t??""),s=e&&Lt(a,e)||Lt(le,e,!1)||Z,i=ut[String(s.color||"").toLowerCase()]?String(s.color).toLowerCase():Dt;return{icon:s.icon||Z.icon,color:i,css:ut[i]}}function ft(a){let t=Ut[a]||(/^[Mm][\d\s.,-]/.test(a)?a:null);return t?ct`<svg viewBox="0 0 24 24" width="16" height="16" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><path d=${t}></path></svg>`:ct`<svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true"><text x="12" y="17" text-anchor="middle" font-size="15">${String(a).slice(0,4)}</text></svg>`}var mt={All:0,"24-Hours":24*36e5,"7-Days":168*36e5,"30-Days":720*36e5},Rt=["phone","email","customerId","socialId","temporaryId"],Ht={phone:"Phone",email:"Email",customerId:"Customer ID",socialId:"Social ID",temporaryId:"Temporary ID"};function bt(a){let t=new Date(a);if(isNaN(t))return"unknown";let e=s=>String(s).padStart(2,"0");return`${t.getFullYear()}-${e(t.getMonth()+1)}-${e(t.getDate())}`}function he(a,t=new Date){if(a==="unknown")return"Unknown date";if(a===bt(t))return"Today";if(a===bt(t.getTime()-24*36e5))return"Yesterday";let[e,s,i]=a.split("-").map(Number);return new Intl.DateTimeFormat(void 0,{weekday:"short",year:"numeric",month:"short",day:"numeric"}).format(new Date(e,s-1,i))}function gt(a){let t=new Date(a);return isNaN(t)?"":new Intl.DateTimeFormat(void 0,{hour:"2-digit",minute:"2-digit"}).format(t)}function Bt(a){try{return decodeURIComponent(a||"")}catch{return a||""}}function v(a){return a==null?"":typeof a=="object"?JSON.stringify(a):String(a)}function pe(a,t){if(!a||typeof a!="object")return"";let e=[a,a.interaction,a.data,a.data?.interaction].filter(n=>n&&typeof n=="object"),s=n=>(n&&typeof n=="object"?n.value:n)??"",i=n=>{for(let d of e)if(d[n]&&(typeof d[n]=="object"||String(d[n]).trim()))return d[n]};if(t)for(let n of e)for(let d of[n.callAssociatedDetails,n.callAssociatedData]){let c=d&&typeof d=="object"?String(s(d[t])).trim():"";if(c)return c}let o=i("contactDirection");return o&&typeof o=="object"&&(o=o.type),String(s(String(o||"").toUpperCase()==="OUTBOUND"?i("dnis"):i("ani"))).trim()}var ue=/\bhttps?:\/\/[^\s<>"'`]+/gi;function fe(a){try{let t=new URL(a);return t.protocol==="http:"||t.protocol==="https:"?t.href:null}catch{return null}}function me(a){let t=[],e=0;for(let s of a.matchAll(ue)){let i=s[0].replace(/[.,;:!?)\]}]+$/,""),o=fe(i);o&&(t.push(a.slice(e,s.index),r`<a href=${o} target="_blank" rel="noopener noreferrer">${i}</a>`),e=s.index+i.length)}return t.length?(t.push(a.slice(e)),t):a}function ge(a){let t=a?.data;if(!t||typeof t!="object")return"";for(let e of Object.keys(t))if(e.toLowerCase()==="taskid"&&t[e]!==null&&t[e]!==void 0&&t[e]!=="")return v(t[e]);return""}function be(a){let t=[],e=new Map;for(let s of a){let i=ge(s);if(i&&e.has(i))e.get(i).items.push(s);else{let o={task:i,items:[s]};i&&e.set(i,o),t.push(o)}}return t}function _e(a){return/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(a)}function $e(a,t){return(Date.parse(t.time)||0)-(Date.parse(a.time)||0)}var B=class extends _{constructor(){super(),this.customer="",this.templateId="",this.limit=50,this.timeFrame="All",this.liveStream=!1,this.iconDataPath="",this.badgeKeyword="",this.collapseTimelineSection=!1,this.collapseProfileSection=!1,this.collapseAliasSection=!1,this.readOnlyAliases=!1,this.hideAliases=!1,this.baseUrl="",this.token="",this.interactionData=null,this.cadVariable="",this.bearerToken="",this.organizationId="",this.dataCenter="",this.eventIconTemplate=null,this._editName=!1,this._nameMsg=null,this._pes=null,this.workspaceId="default",this.logsOn=!1,this._identity="",this._events=[],this._loading=!1,this._more=!1,this._page=0,this._error=null,this._expanded=new Set,this._hidden=new Set,this._frame="All",this._live="off",this._profile={state:"none"},this._person={state:"none"},this._aliasMsg=null,this._aliasBusy=!1,this._open={timeline:!0,profile:!0,alias:!0},this._iconMap=null,this._fresh=new Set,this._es=null,this._retry=null,this._gen=0}log(...t){this.logsOn&&console.debug("[customer-journey]",...t)}get api(){return new E({baseUrl:this.base,token:this.authToken,organizationId:this.organizationId,log:(...t)=>this.log(...t)})}get base(){let t=(this.dataCenter||"").trim();return this.baseUrl?this.baseUrl.replace(/\{dataCenter\}/g,encodeURIComponent(t)):/^https?:\/\//i.test(t)?t:""}get authToken(){let t=(this.bearerToken||"").trim();return t?/^(SharedAccessSignature|Bearer)\s/i.test(t)?t:`Bearer ${t}`:this.token}get ws(){return this.workspaceId||"default"}willUpdate(t){if(t.has("customer")||t.has("interactionData")||t.has("cadVariable")){let e=(this.customer||"").trim()||pe(this.interactionData,(this.cadVariable||"").trim());(e||t.has("customer"))&&(this._identity=e)}t.has("timeFrame")&&(this._frame=mt[this.timeFrame]!==void 0?this.timeFrame:"All"),t.has("collapseTimelineSection")&&(this._open={...this._open,timeline:!this.collapseTimelineSection}),t.has("collapseProfileSection")&&(this._open={...this._open,profile:!this.collapseProfileSection}),t.has("collapseAliasSection")&&(this._open={...this._open,alias:!this.collapseAliasSection})}updated(t){(t.has("iconDataPath")||t.has("eventIconTemplate"))&&this.loadIconMap(),["_identity","liveStream","baseUrl","token","bearerToken","organizationId","dataCenter","workspaceId","limit","templateId"].some(s=>t.has(s))&&this.reload()}disconnectedCallback(){super.disconnectedCallback(),this.disconnect()}connectedCallback(){super.connectedCallback(),this.hasUpdated&&this._identity&&this.reload()}async loadIconMap(){if(!this.iconDataPath){this._iconMap=this.eventIconTemplate&&typeof this.eventIconTemplate=="object"?this.eventIconTemplate:null;return}try{let t=await fetch(this.iconDataPath);if(!t.ok)throw new Error(`${t.status} ${t.statusText}`);this._iconMap=await t.json(),this.log("icon map",this._iconMap)}catch(t){this._iconMap=null,this._error={message:`Icon map ${this.iconDataPath} could not be loaded: ${t.message}`}}}reload(){let t=++this._gen;if(this.disconnect(),this._events=[],this._expanded=new Set,this._fresh=new Set,this._error=null,this._page=0,this._more=!1,this._aliasMsg=null,this._nameMsg=null,this._editName=!1,this._lastLiveId=null,!this._identity){this._profile={state:"none"},this._person={state:"none"};return}this.loadEvents(t,0),this.loadProfile(t),this.loadPerson(t),this.connect()}async loadEvents(t,e){this._loading=!0;let s=Math.min(Math.max(parseInt(this.limit,10)||50,1),1e3);try{let i=await this.api.get(`/v1/api/events/workspace-id/${u(this.ws)}`,{identity:this._identity,pageSize:s,page:e});if(t!==this._gen)return;let o=Array.isArray(i?.data)?i.data:[];this.merge(o),this._page=e,this._more=o.length===s,this.dispatchEvent(new CustomEvent("journey-loaded",{detail:{identity:this._identity,count:this._events.length},bubbles:!0,composed:!0}))}catch(i){if(t!==this._gen)return;this._error=i,this.dispatchEvent(new CustomEvent("journey-error",{detail:{message:g(i)},bubbles:!0,composed:!0}))}finally{t===this._gen&&(this._loading=!1)}}merge(t,e=!1){let s=new Set(this._events.map(o=>o.id)),i=t.filter(o=>o&&o.id&&!s.has(o.id));i.length&&(e&&(this._fresh=new Set([...this._fresh,...i.map(o=>o.id)])),this._events=[...this._events,...i].sort($e))}async loadProfile(t){let e=(this.templateId||"").trim();if(!e){this._profile={state:"none"};return}this._profile={state:"loading"};let s=`/v1/api/progressive-profile-view/workspace-id/${u(this.ws)}/identity/${u(this._identity)}`,i=`${_e(e)?"template-id":"template-name"}/${u(e)}`;try{let o=await this.api.get(`${s}/${i}`);if(t!==this._gen)return;this.showProfile(Array.isArray(o?.data)?o.data[0]:o?.data),this.connectProfile(t,i)}catch(o){if(t!==this._gen)return;this._profile=o.status===404?{state:"empty"}:{state:"error",error:o}}}showProfile(t){this._profile=t&&Array.isArray(t.attributes)&&t.attributes.length?{state:"ok",view:t}:{state:"empty"}}connectProfile(t,e){if(this.closeProfile(),!this.liveStream||typeof EventSource>"u"||t!==this._gen)return;let s=this.api.stream(`/v1/api/progressive-profile-view/stream/workspace-id/${u(this.ws)}/identity/${u(this._identity)}/${e}`);this._pes=s,s.addEventListener("profile",i=>{if(!(this._pes!==s||t!==this._gen))try{let o=JSON.parse(i.data);this.log("live profile",o),this.showProfile(o)}catch{}}),s.onerror=()=>{this._pes!==s||s.readyState!==EventSource.CLOSED||(clearTimeout(this._pretry),this._pretry=setTimeout(()=>{this._pes===s&&t===this._gen&&this.connectProfile(t,e)},5e3))}}closeProfile(){clearTimeout(this._pretry),this._pes&&this._pes.close(),this._pes=null}async loadPerson(t){this._person={state:"loading"};try{let e=await this.api.get(`/admin/v1/api/person/workspace-id/${u(this.ws)}/aliases/${u(this._identity)}`);if(t!==this._gen)return;let s=Array.isArray(e?.data)?e.data[0]:null;this._person=s?{state:"ok",person:s}:{state:"empty"}}catch(e){if(t!==this._gen)return;this._person=e.status===404?{state:"empty"}:{state:"error",error:e}}}connect(){if(this.closeEvents(),!this.liveStream||!this._identity||typeof EventSource>"u")return;let t=this._gen,e=this._lastLiveId||(this._events.length?this._events[0].id:""),s=this.api.stream(`/v1/api/events/stream/workspace-id/${u(this.ws)}/identity/${u(this._identity)}`,e?{lastEventId:e}:{});this._es=s,this._live="connecting",s.onopen=()=>{this._es===s&&(this._live="on")},s.addEventListener("event",i=>{if(this._es!==s||t!==this._gen)return;let o;try{o=JSON.parse(i.data)}catch{return}this._lastLiveId=i.lastEventId||o.id,this.log("live event",o),this.merge([o],!0),this._person.state==="empty"&&this.loadPerson(t),this.dispatchEvent(new CustomEvent("journey-event",{detail:o,bubbles:!0,composed:!0}))}),s.onerror=()=>{this._es===s&&(s.readyState===EventSource.CLOSED?(this._live="off",clearTimeout(this._retry),this._retry=setTimeout(()=>{this._es===s&&t===this._gen&&this.connect()},5e3)):this._live="connecting")}}disconnect(){this.closeProfile(),this.closeEvents()}closeEvents(){clearTimeout(this._retry),this._es&&(this._es.close(),this._es=null),this._live="off"}async addAlias(t){t.preventDefault();let e=t.target,s=e.kind.value,i=e.value.value.trim();!i||this._person.state!=="ok"||(await this.changeAliases(`/admin/v1/api/person/add-identities/workspace-id/${u(this.ws)}/person-id/${u(this._person.person.id)}`,{[s]:[i]},`Added ${i}`),this._aliasMsg?.ok&&(e.value.value=""))}removeAlias(t){return this.changeAliases(`/admin/v1/api/person/remove-identities/workspace-id/${u(this.ws)}/person-id/${u(this._person.person.id)}`,[t],`Removed ${t}`)}async changeAliases(t,e,s){this._aliasBusy=!0,this._aliasMsg=null;try{let i=await this.api.patch(t,e);i?.data&&(this._person={state:"ok",person:i.data}),this._aliasMsg={ok:!0,text:s}}catch(i){this._aliasMsg={ok:!1,text:g(i)}}finally{this._aliasBusy=!1}}openNameEditor(){this._editName=!0,this._nameMsg=null,this.updateComplete.then(()=>this.renderRoot.querySelector("#cjw-first")?.focus())}closeNameEditor(){this._editName=!1,this.updateComplete.then(()=>this.renderRoot.querySelector(".edit-name-btn")?.focus())}async saveName(t){if(t.preventDefault(),this._person.state!=="ok")return;let e=t.target,s=[{op:"add",path:"/firstName",value:e.firstName.value.trim()},{op:"add",path:"/lastName",value:e.lastName.value.trim()}];this._aliasBusy=!0,this._nameMsg=null;try{let i=await this.api.patch(`/admin/v1/api/person/workspace-id/${u(this.ws)}/person-id/${u(this._person.person.id)}`,s);i?.data&&(this._person={state:"ok",person:i.data}),this._nameMsg={ok:!0,text:"Name saved"},this.closeNameEditor()}catch(i){this._nameMsg={ok:!1,text:g(i)}}finally{this._aliasBusy=!1}}search(t){t.preventDefault();let e=t.target.identity.value.trim();e&&(this._identity=e)}clearSearch(){this._identity=""}toggle(t){let e=new Set(this._expanded);e.has(t)?e.delete(t):e.add(t),this._expanded=e}toggleType(t){let e=new Set(this._hidden);e.has(t)?e.delete(t):e.add(t),this._hidden=e}toggleSection(t){this._open={...this._open,[t]:!this._open[t]}}get visible(){let t=mt[this._frame]||0,e=t?Date.now()-t:-1/0;return this._events.filter(s=>!this._hidden.has(this.typeOf(s))&&(!t||(Date.parse(s.time)||0)>=e))}typeOf(t){return String(t?.data?.channelType??"")||"Other"}render(){return r`<section class="cjw" aria-label="Customer journey">
      <header class="top">
        <div class="title">
          <h2>Customer Journey</h2>
          ${this._identity?r`<span class="who" title=${this._identity}>${this.fullName?r`<b class="name">${this.fullName}</b> · `:l}${this._identity}</span>`:l}
        </div>
        <div class="tools">
          ${this.liveStream&&this._identity?r`<span class="live ${this._live}" role="status" aria-label=${`Live updates: ${this._live==="on"?"connected":this._live==="connecting"?"connecting":"off"}`}
                ><span class="dot" aria-hidden="true"></span>${this._live==="on"?"Live":this._live==="connecting"?"Connecting":"Offline"}</span
              >`:l}
          ${this._person.state==="ok"?r`<button class="icon-btn edit-name-btn" @click=${this.openNameEditor} aria-label="Edit name" title="Edit name" aria-expanded=${this._editName?"true":"false"}>
                <svg viewBox="0 0 24 24" width="16" height="16" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><path d="M12 20h9M16.5 3.5a2.1 2.1 0 0 1 3 3L7 19l-4 1 1-4z"></path></svg>
              </button>`:l}
          ${this._identity?r`<button class="icon-btn" @click=${()=>this.reload()} aria-label="Refresh journey" title="Refresh">
                <svg viewBox="0 0 24 24" width="16" height="16" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" aria-hidden="true"><path d="M21 12a9 9 0 1 1-3-6.7L21 8M21 3v5h-5"></path></svg>
              </button>`:l}
          ${this._identity&&!this.customer?r`<button class="icon-btn" @click=${this.clearSearch} aria-label="Search another customer" title="Search another customer">
                <svg viewBox="0 0 24 24" width="16" height="16" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" aria-hidden="true"><path d="M11 4a7 7 0 1 0 0 14 7 7 0 0 0 0-14zM21 21l-5-5"></path></svg>
              </button>`:l}
        </div>
      </header>
      ${this._editName&&this._person.state==="ok"?this.renderNameEditor():l}
      ${this._nameMsg?r`<p class=${this._nameMsg.ok?"ok pad":"error"} role=${this._nameMsg.ok?"status":"alert"}>${this._nameMsg.text}</p>`:l}
      ${this._identity?l:this.renderSearch()}
      ${this._error?r`<div class="error" role="alert">${g(this._error)}</div>`:l}
      ${this._identity?r`${this.renderProfile()} ${this.hideAliases?l:this.renderAliases()} ${this.renderTimeline()}`:l}
    </section>`}get fullName(){let t=this._person.state==="ok"?this._person.person:null;return t?[t.firstName,t.lastName].filter(Boolean).join(" "):""}renderNameEditor(){let t=this._person.person;return r`<form class="edit-name" aria-label="Edit name" @submit=${this.saveName} @keydown=${e=>e.key==="Escape"&&this.closeNameEditor()}>
      <label for="cjw-first">First name</label>
      <input id="cjw-first" name="firstName" .value=${t.firstName||""} autocomplete="off" maxlength="200" />
      <label for="cjw-last">Last name</label>
      <input id="cjw-last" name="lastName" .value=${t.lastName||""} autocomplete="off" maxlength="200" />
      <div class="row">
        <button type="submit" class="primary" ?disabled=${this._aliasBusy}>Save</button>
        <button type="button" @click=${this.closeNameEditor}>Cancel</button>
      </div>
    </form>`}renderSearch(){return r`<form class="search" role="search" @submit=${this.search}>
      <label for="q">Customer identity</label>
      <div class="row">
        <input id="q" name="identity" type="search" placeholder="Phone, email or customer ID" autocomplete="off" required />
        <button type="submit" class="primary">Look up</button>
      </div>
    </form>`}sectionHead(t,e,s=l){let i=this._open[t];return r`<h3 class="sec-head">
      <button class="sec-toggle" aria-expanded=${i?"true":"false"} aria-controls=${`sec-${t}`} @click=${()=>this.toggleSection(t)}>
        <svg class="chev ${i?"open":""}" viewBox="0 0 24 24" width="14" height="14" fill="none" stroke="currentColor" stroke-width="2.5" aria-hidden="true"><path d="M9 6l6 6-6 6"></path></svg>
        ${e}
      </button>
      ${s}
    </h3>`}renderProfile(){let t=this._profile;if(!this.templateId)return l;let e;t.state==="loading"?e=r`<p class="muted">Loading profile…</p>`:t.state==="error"?e=r`<p class="error" role="alert">${g(t.error)}</p>`:t.state==="ok"?e=r`<table class="kv" aria-label="Profile attributes">
        <tbody>
          ${t.view.attributes.map(i=>r`<tr>
              <th scope="row">${i.displayName||i.name}</th>
              <td>${i.error?r`<span class="bad">${v(i.error)}</span>`:v(i.result??i.value)}</td>
            </tr>`)}
        </tbody>
      </table>`:e=r`<p class="muted">No profile</p>`;let s=t.state==="ok"&&t.view.templateName?`Profile · ${t.view.templateName}`:"Profile";return r`<div class="section" part="profile">
      ${this.sectionHead("profile",s)}
      <div id="sec-profile" ?hidden=${!this._open.profile}>${e}</div>
    </div>`}renderAliases(){let t=this._person,e;if(t.state==="loading")e=r`<p class="muted">Loading aliases…</p>`;else if(t.state==="error")e=r`<p class="error" role="alert">${g(t.error)}</p>`;else if(t.state==="empty")e=r`<p class="muted">No person owns this identity yet.</p>`;else if(t.state==="ok"){let s=t.person,i=this.readOnlyAliases,o=Rt.filter(n=>(s[n]||[]).length);e=r`
        <ul class="aliases" aria-label="Aliases">
          ${o.map(n=>s[n].map(d=>r`<li class="alias" data-kind=${n}>
                <span class="kind">${Ht[n]}</span><span class="val" title=${d}>${d}</span>
                ${i?l:r`<button class="icon-btn small" ?disabled=${this._aliasBusy} aria-label=${`Remove alias ${d}`} title="Remove" @click=${()=>this.removeAlias(d)}>
                      <svg viewBox="0 0 24 24" width="12" height="12" fill="none" stroke="currentColor" stroke-width="2.5" stroke-linecap="round" aria-hidden="true"><path d="M6 6l12 12M18 6L6 18"></path></svg>
                    </button>`}
              </li>`))}
        </ul>
        ${i?l:r`<form class="add-alias" @submit=${this.addAlias} aria-label="Add alias">
              <select name="kind" aria-label="Alias kind">
                ${Rt.map(n=>r`<option value=${n} ?selected=${n==="email"}>${Ht[n]}</option>`)}
              </select>
              <input name="value" aria-label="Alias value" placeholder="New alias" required />
              <button type="submit" ?disabled=${this._aliasBusy}>Add</button>
            </form>`}
        ${this._aliasMsg?r`<p class=${this._aliasMsg.ok?"ok":"error"} role=${this._aliasMsg.ok?"status":"alert"}>${this._aliasMsg.text}</p>`:l}
      `}return r`<div class="section" part="aliases">
      ${this.sectionHead("alias","Aliases")}
      <div id="sec-alias" ?hidden=${!this._open.alias}>${e??l}</div>
    </div>`}renderTimeline(){let t=[...new Set(this._events.map(o=>this.typeOf(o)))].sort((o,n)=>o.localeCompare(n)),e=this.visible,s=[];for(let o of be(e)){let n=bt(o.items[0].time);(!s.length||s[s.length-1].key!==n)&&s.push({key:n,items:[]}),s[s.length-1].items.push(o)}let i=r`<span class="count" aria-live="polite">${e.length===this._events.length?`${e.length}`:`${e.length} of ${this._events.length}`}</span>`;return r`<div class="section" part="timeline">
      ${this.sectionHead("timeline","Timeline",i)}
      <div id="sec-timeline" ?hidden=${!this._open.timeline}>
        <div class="filters">
          <label class="frame"
            ><span>Time frame</span>
            <select aria-label="Time frame" @change=${o=>this._frame=o.target.value}>
              ${Object.keys(mt).map(o=>r`<option value=${o} ?selected=${o===this._frame}>${o==="All"?"All time":o.replace("-"," ")}</option>`)}
            </select></label
          >
          ${t.length>1?r`<div class="chips" role="group" aria-label="Filter by channel type">
                ${t.map(o=>{let n=!this._hidden.has(o),d=Q(this._iconMap,o);return r`<button class="chip ${n?"on":""}" aria-pressed=${n?"true":"false"} data-type=${o} style=${`--c:${d.css}`} @click=${()=>this.toggleType(o)}>
                    <span class="sw" aria-hidden="true"></span>${o}
                  </button>`})}
              </div>`:l}
        </div>
        ${this._loading&&!this._events.length?r`<p class="muted">Loading events…</p>`:l}
        ${!this._loading&&!this._error&&!this._events.length?r`<p class="muted empty">No events for this customer yet.</p>`:l}
        ${this._events.length&&!e.length?r`<p class="muted empty">No events match the filters.</p>`:l}
        ${s.map(o=>r`<div class="day" data-day=${o.key}>
            <h4 class="day-head">${he(o.key)}</h4>
            <ol class="events">
              ${o.items.map(n=>n.items.length>1?this.renderTask(n):this.renderEvent(n.items[0]))}
            </ol>
          </div>`)}
        ${this._more?r`<button class="more" ?disabled=${this._loading} @click=${()=>this.loadEvents(this._gen,this._page+1)}>${this._loading?"Loading…":"Load older events"}</button>`:l}
      </div>
    </div>`}renderTask(t){let e=t.items[0],s=t.items[t.items.length-1],i=e.data&&typeof e.data=="object"?e.data:{},o=Q(this._iconMap,i.channelType),n=`task:${t.task}`,d=this._expanded.has(n),c=v(i.origin)||e.type,p=`tk-${t.task}`.replace(/[^A-Za-z0-9_-]/g,"_"),f=t.items.some(h=>this._fresh.has(h.id));return r`<li class="task ${f?"fresh":""}" data-task=${t.task} data-type=${this.typeOf(e)} data-color=${o.color}>
      <button class="ev-head" aria-expanded=${d?"true":"false"} aria-controls=${p} @click=${()=>this.toggle(n)}>
        <span class="ic stack" style=${`--c:${o.css}`} data-icon=${o.icon}>${ft(o.icon)}</span>
        <span class="ev-main">
          <span class="ev-title">${c}</span>
          <span class="ev-sub"><span class="n">${t.items.length} events</span> · task ${t.task}</span>
        </span>
        <span class="ev-side">
          <time datetime=${e.time}>${gt(s.time)}–${gt(e.time)}</time>
          <span class="badge" style=${`--c:${o.css}`}>${t.items.length}</span>
        </span>
      </button>
      ${d?r`<ol class="events nested" id=${p} aria-label=${`Events of task ${t.task}`}>${t.items.map(h=>this.renderEvent(h))}</ol>`:l}
    </li>`}renderEvent(t){let e=t.data&&typeof t.data=="object"?t.data:{},s=this.typeOf(t),i=Q(this._iconMap,e.channelType),o=this._expanded.has(t.id),n=v(e.origin)||t.type,d=this.badgeKeyword?v(e[this.badgeKeyword]):v(e.channelType),c=`ev-${t.id}`.replace(/[^A-Za-z0-9_-]/g,"_");return r`<li class="event ${this._fresh.has(t.id)?"fresh":""}" data-id=${t.id} data-type=${s} data-color=${i.color}>
      <button class="ev-head" aria-expanded=${o?"true":"false"} aria-controls=${c} @click=${()=>this.toggle(t.id)}>
        <span class="ic" style=${`--c:${i.css}`} data-icon=${i.icon}>${ft(i.icon)}</span>
        <span class="ev-main">
          <span class="ev-title">${n}</span>
          <span class="ev-sub">${t.type}${t.source?r` · ${Bt(t.source)}`:l}</span>
        </span>
        <span class="ev-side">
          <time datetime=${t.time}>${gt(t.time)}</time>
          ${d?r`<span class="badge" style=${`--c:${i.css}`}>${d}</span>`:l}
        </span>
      </button>
      ${o?r`<div class="ev-body" id=${c}>
            <table class="kv" aria-label=${`Details of ${n}`}>
              <tbody>
                ${Object.entries(e).map(([p,f])=>r`<tr><th scope="row">${p}</th><td>${me(v(f))}</td></tr>`)}
                <tr class="meta"><th scope="row">type</th><td>${t.type}</td></tr>
                <tr class="meta"><th scope="row">source</th><td>${Bt(t.source)}</td></tr>
                <tr class="meta"><th scope="row">identity</th><td>${t.identity} (${t.identitytype})</td></tr>
                ${t.previousidentity?r`<tr class="meta"><th scope="row">previous identity</th><td>${t.previousidentity}</td></tr>`:l}
                <tr class="meta"><th scope="row">time</th><td>${t.time?new Date(t.time).toLocaleString():""}</td></tr>
                <tr class="meta"><th scope="row">id</th><td>${t.id}</td></tr>
              </tbody>
            </table>
          </div>`:l}
    </li>`}};T(B,"properties",{customer:{type:String},templateId:{type:String,attribute:"template-id"},limit:{type:Number},timeFrame:{type:String,attribute:"time-frame"},liveStream:{type:Boolean,attribute:"live-stream"},iconDataPath:{type:String,attribute:"icon-data-path"},badgeKeyword:{type:String,attribute:"badge-keyword"},collapseTimelineSection:{type:Boolean,attribute:"collapse-timeline-section"},collapseProfileSection:{type:Boolean,attribute:"collapse-profile-section"},collapseAliasSection:{type:Boolean,attribute:"collapse-alias-section"},readOnlyAliases:{type:Boolean,attribute:"read-only-aliases"},hideAliases:{type:Boolean,attribute:"hide-aliases"},baseUrl:{type:String,attribute:"base-url"},token:{type:String},interactionData:{type:Object,attribute:"interaction-data"},cadVariable:{type:String,attribute:"cad-variable"},bearerToken:{type:String,attribute:"bearer-token"},organizationId:{type:String,attribute:"organization-id"},dataCenter:{type:String,attribute:"data-center"},eventIconTemplate:{attribute:!1},workspaceId:{type:String,attribute:"workspace-id"},logsOn:{type:Boolean,attribute:"logs-on"},_identity:{state:!0},_events:{state:!0},_loading:{state:!0},_more:{state:!0},_error:{state:!0},_expanded:{state:!0},_hidden:{state:!0},_frame:{state:!0},_live:{state:!0},_profile:{state:!0},_person:{state:!0},_aliasMsg:{state:!0},_aliasBusy:{state:!0},_open:{state:!0},_iconMap:{state:!0},_fresh:{state:!0},_editName:{state:!0},_nameMsg:{state:!0}}),T(B,"styles",O`
    :host {
      display: block;
      font-family: var(--cjw-font, system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif);
      font-size: 14px;
      line-height: 1.4;
      color: var(--cjw-fg, #1f2328);
      background: var(--cjw-bg, #fff);
      container-type: inline-size;
      min-width: 0;
    }
    [hidden] {
      display: none !important;
    }
    .cjw {
      border: 1px solid var(--cjw-border, #d8dee4);
      border-radius: 8px;
      overflow: hidden;
      background: inherit;
    }
    .top {
      display: flex;
      align-items: center;
      justify-content: space-between;
      gap: 8px;
      padding: 10px 12px;
      border-bottom: 1px solid var(--cjw-border, #d8dee4);
      background: var(--cjw-head-bg, #f6f8fa);
    }
    .title {
      min-width: 0;
      display: flex;
      flex-direction: column;
    }
    h2 {
      font-size: 15px;
      font-weight: 600;
      margin: 0;
    }
    .who {
      color: #57606a;
      font-size: 12px;
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }
    .tools {
      display: flex;
      align-items: center;
      gap: 6px;
      flex: none;
    }
    button,
    input,
    select {
      font: inherit;
      color: inherit;
    }
    button {
      cursor: pointer;
    }
    button:disabled {
      cursor: default;
      opacity: 0.6;
    }
    :focus-visible {
      outline: 2px solid var(--cjw-focus, #1d6ae5);
      outline-offset: 2px;
    }
    .icon-btn {
      display: inline-flex;
      align-items: center;
      justify-content: center;
      width: 30px;
      height: 30px;
      border: 1px solid var(--cjw-border, #d8dee4);
      border-radius: 6px;
      background: #fff;
      color: #424a53;
      padding: 0;
    }
    .icon-btn:hover {
      background: #eef1f4;
    }
    .icon-btn.small {
      width: 22px;
      height: 22px;
      border-color: transparent;
      background: transparent;
    }
    .icon-btn.small:hover {
      background: #ffe9e9;
      color: #d1343b;
    }
    .live {
      display: inline-flex;
      align-items: center;
      gap: 5px;
      font-size: 12px;
      color: #57606a;
      padding: 2px 8px;
      border-radius: 999px;
      background: #eef1f4;
    }
    .live .dot {
      width: 8px;
      height: 8px;
      border-radius: 50%;
      background: #8c959f;
    }
    .live.on {
      color: #1a7f37;
      background: #e6f4ea;
    }
    .live.on .dot {
      background: #1f8a4c;
      box-shadow: 0 0 0 3px rgba(31, 138, 76, 0.2);
    }
    .live.connecting .dot {
      background: #d9650b;
    }
    .search {
      padding: 12px;
    }
    .search label {
      display: block;
      font-weight: 600;
      margin-bottom: 6px;
    }
    .row,
    .add-alias {
      display: flex;
      gap: 6px;
      flex-wrap: wrap;
    }
    input,
    select {
      border: 1px solid #c9d1d9;
      border-radius: 6px;
      padding: 6px 8px;
      background: #fff;
      min-width: 0;
    }
    .row input {
      flex: 1 1 160px;
    }
    button.primary,
    .edit-name .primary,
    .add-alias button,
    .more {
      border: 1px solid #1d6ae5;
      background: #1d6ae5;
      color: #fff;
      border-radius: 6px;
      padding: 6px 12px;
      font-weight: 600;
    }
    .more {
      display: block;
      margin: 8px auto 12px;
      background: #fff;
      color: #1d6ae5;
    }
    .error {
      margin: 8px 12px;
      padding: 8px 10px;
      border-radius: 6px;
      background: #fff1f0;
      border: 1px solid #ffccc7;
      color: #a8071a;
    }
    .ok {
      margin: 6px 0 0;
      color: #1a7f37;
      font-size: 12px;
    }
    .muted {
      color: #6e7781;
      margin: 6px 0 10px;
    }
    .section {
      border-bottom: 1px solid var(--cjw-border, #d8dee4);
      padding: 0 12px;
    }
    .section:last-child {
      border-bottom: none;
    }
    .sec-head {
      margin: 0;
      display: flex;
      align-items: center;
      justify-content: space-between;
      font-size: 13px;
    }
    .sec-toggle {
      display: inline-flex;
      align-items: center;
      gap: 6px;
      border: none;
      background: none;
      padding: 10px 0;
      font-weight: 600;
      text-transform: uppercase;
      letter-spacing: 0.04em;
      font-size: 12px;
      color: #424a53;
    }
    .chev {
      transition: transform 0.15s;
    }
    .chev.open {
      transform: rotate(90deg);
    }
    .count {
      font-size: 12px;
      color: #6e7781;
      background: #eef1f4;
      border-radius: 999px;
      padding: 0 8px;
    }
    .kv {
      width: 100%;
      border-collapse: collapse;
      margin-bottom: 10px;
      table-layout: fixed;
    }
    .kv th,
    .kv td {
      text-align: left;
      vertical-align: top;
      padding: 4px 6px;
      border-top: 1px solid #eaeef2;
      font-size: 13px;
      overflow-wrap: anywhere;
    }
    .kv th {
      width: 38%;
      color: #57606a;
      font-weight: 500;
    }
    .kv tr.meta th,
    .kv tr.meta td {
      color: #6e7781;
      font-size: 12px;
    }
    .name {
      font-weight: 600;
      margin: 0 0 6px;
    }
    .aliases {
      list-style: none;
      margin: 0 0 8px;
      padding: 0;
      display: flex;
      flex-direction: column;
      gap: 4px;
    }
    .alias {
      display: flex;
      align-items: center;
      gap: 8px;
      min-width: 0;
    }
    .alias .kind {
      flex: none;
      width: 92px;
      font-size: 12px;
      color: #57606a;
    }
    .alias .val {
      flex: 1;
      min-width: 0;
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
      font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
      font-size: 12.5px;
    }
    .add-alias {
      margin-bottom: 10px;
    }
    .add-alias input {
      flex: 1 1 120px;
    }
    .filters {
      display: flex;
      flex-direction: column;
      gap: 8px;
      margin-bottom: 6px;
    }
    .frame {
      display: flex;
      align-items: center;
      gap: 8px;
      font-size: 12px;
      color: #57606a;
    }
    .chips {
      display: flex;
      flex-wrap: wrap;
      gap: 6px;
    }
    .chip {
      display: inline-flex;
      align-items: center;
      gap: 6px;
      border: 1px solid #d0d7de;
      border-radius: 999px;
      padding: 2px 10px;
      background: #fff;
      font-size: 12px;
      color: #6e7781;
    }
    .chip .sw {
      width: 8px;
      height: 8px;
      border-radius: 50%;
      border: 1.5px solid var(--c);
    }
    .chip.on {
      color: #1f2328;
      border-color: var(--c);
      background: color-mix(in srgb, var(--c) 8%, #fff);
    }
    .chip.on .sw {
      background: var(--c);
    }
    .day-head {
      position: sticky;
      top: 0;
      margin: 8px 0 4px;
      padding: 4px 0;
      font-size: 12px;
      font-weight: 600;
      color: #57606a;
      background: var(--cjw-bg, #fff);
      z-index: 1;
    }
    .events {
      list-style: none;
      margin: 0 0 4px;
      padding: 0;
      position: relative;
    }
    .events::before {
      content: '';
      position: absolute;
      left: 15px;
      top: 6px;
      bottom: 6px;
      width: 2px;
      background: #eaeef2;
    }
    .event {
      position: relative;
    }
    .event.fresh .ev-head {
      animation: flash 2.5s ease-out;
    }
    @keyframes flash {
      from {
        background: #fff6d6;
      }
      to {
        background: transparent;
      }
    }
    .ev-head {
      display: flex;
      align-items: flex-start;
      gap: 10px;
      width: 100%;
      text-align: left;
      border: none;
      background: transparent;
      padding: 6px 4px 6px 0;
      border-radius: 6px;
    }
    .ev-head:hover {
      background: #f6f8fa;
    }
    .ic {
      flex: none;
      position: relative;
      display: inline-flex;
      align-items: center;
      justify-content: center;
      width: 32px;
      height: 32px;
      border-radius: 50%;
      color: #fff;
      background: var(--c);
      box-shadow: 0 0 0 3px #fff;
    }
    .ev-main {
      flex: 1;
      min-width: 0;
      display: flex;
      flex-direction: column;
    }
    .ev-title {
      font-weight: 600;
      overflow-wrap: anywhere;
    }
    .ev-sub {
      font-size: 12px;
      color: #6e7781;
      overflow-wrap: anywhere;
    }
    .ev-side {
      flex: none;
      display: flex;
      flex-direction: column;
      align-items: flex-end;
      gap: 2px;
      max-width: 40%;
    }
    time {
      font-size: 12px;
      color: #57606a;
      white-space: nowrap;
    }
    .badge {
      font-size: 11px;
      border-radius: 4px;
      padding: 0 6px;
      color: var(--c);
      background: color-mix(in srgb, var(--c) 12%, #fff);
      max-width: 100%;
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }
    .ev-body {
      margin: 0 0 6px 42px;
    }
    .events.nested {
      margin: 0 0 6px 42px;
    }
    .events.nested::before {
      left: 15px;
    }
    .ic.stack {
      box-shadow: 0 0 0 3px #fff, 3px 3px 0 3px color-mix(in srgb, var(--c) 35%, #fff);
    }
    .task.fresh > .ev-head {
      animation: flash 2.5s ease-out;
    }
    .kv a {
      color: #0b4fc0;
      overflow-wrap: anywhere;
    }
    .edit-name {
      display: grid;
      grid-template-columns: auto 1fr;
      gap: 6px 8px;
      align-items: center;
      padding: 10px 12px;
      border-bottom: 1px solid var(--cjw-border, #d8dee4);
    }
    .edit-name label {
      font-size: 12px;
      color: #57606a;
    }
    .edit-name .row {
      grid-column: 1 / -1;
    }
    .edit-name button:not(.primary) {
      border: 1px solid #c9d1d9;
      background: #fff;
      border-radius: 6px;
      padding: 6px 12px;
    }
    .ok.pad {
      margin: 6px 12px;
    }
    .who .name {
      color: #1f2328;
      font-weight: 600;
    }
    .bad {
      color: #a8071a;
    }
    @container (max-width: 360px) {
      .alias .kind {
        width: 76px;
      }
      .kv th {
        width: 42%;
      }
      .ev-body {
        margin-left: 0;
      }
    }
  `);customElements.get("customer-journey-widget")||customElements.define("customer-journey-widget",B);var C={token:"jds.token",ws:"jds.workspace",template:"jds.template"},q={templates:{title:"Profile templates",path:a=>`/admin/v1/api/profile-view-template/workspace-id/${u(a)}`},actions:{title:"Journey actions",path:a=>`/admin/v1/api/journey-actions/workspace-id/${u(a)}`},flows:{title:"IVR flows",path:a=>`/admin/v1/api/flows/workspace-id/${u(a)}`},deliveries:{title:"Deliveries",path:a=>`/admin/v1/api/journey-actions/workspace-id/${u(a)}/history`},deadletters:{title:"Dead letters",path:a=>`/admin/v1/api/journey-actions/workspace-id/${u(a)}/dead-letters`},jobs:{title:"Scheduled jobs",path:()=>"/admin/v1/api/jobs"}},_t={templates:{path:"/admin/v1/api/rules",what:"Rule files"},flows:{path:"/admin/v1/api/flows",what:"Flow files"}},qt=[["persons","Persons"],["tail","Live tail"],["templates","Templates"],["actions","Actions"],["flows","Flows"],["deliveries","Deliveries"],["deadletters","Dead letters"],["jobs","Jobs"]];function M(a,t){try{if(t===void 0)return sessionStorage.getItem(a)||"";t===null?sessionStorage.removeItem(a):sessionStorage.setItem(a,t)}catch{return""}return t}function P(a){let t=new Date(a);return isNaN(t)?"":t.toLocaleString(void 0,{dateStyle:"medium",timeStyle:"short"})}var V=class extends _{constructor(){super(),this._token=M(C.token),this._ws=M(C.ws)||"default",this._template=M(C.template),this._view="persons",this._persons=null,this._page=0,this._pageSize=20,this._found=null,this._identity="",this._tail=[],this._tailId="",this._tailState="off",this._section=null,this._onHash=()=>this.route()}get api(){return new E({token:this._token})}connectedCallback(){super.connectedCallback(),window.addEventListener("hashchange",this._onHash),this.route()}disconnectedCallback(){super.disconnectedCallback(),window.removeEventListener("hashchange",this._onHash),this.stopTail()}route(){let t=(location.hash||"").replace(/^#\/?/,"");this._view=qt.some(([e])=>e===t)?t:"persons",this._token&&(this._view==="persons"&&!this._persons&&this.loadPersons(0),q[this._view]&&this.loadSection(this._view))}async signIn(t){t.preventDefault();let e=t.target,s=e.token.value.trim().replace(/^export\s+JDS_TOKEN=/,"").replace(/^['"]|['"]$/g,""),i=e.ws.value.trim()||"default";this._signing=!0,this._signError=null;try{await new E({token:s}).get(`/admin/v1/api/person/workspace-id/${u(i)}`,{page:0,pageSize:1}),this._token=M(C.token,s),this._ws=M(C.ws,i),this._persons=null,this.route()}catch(o){this._signError=g(o)}finally{this._signing=!1}}signOut(){M(C.token,null),this.stopTail(),this._token="",this._persons=null,this._found=null,this._identity=""}async loadPersons(t){this._personsError=null;try{let e=await this.api.get(`/admin/v1/api/person/workspace-id/${u(this._ws)}`,{page:t,pageSize:this._pageSize});this._persons=e?.data||[],this._page=t}catch(e){this._persons=[],this._personsError=g(e)}}async find(t){t.preventDefault();let e=t.target.q.value.trim();if(e){this._findError=null,this._found=null,this._identity=e;try{let s=await this.api.get(`/admin/v1/api/person/workspace-id/${u(this._ws)}/aliases/${u(e)}`);this._found=s?.data||[]}catch(s){this._found=[],this._findError=s.status===404?`No person owns “${e}”. Showing its journey anyway: events may arrive later.`:g(s)}}}open(t){this._identity=t.aliases&&t.aliases[0]||"",this._found=[t],this._findError=null,this.updateComplete.then(()=>this.renderRoot.querySelector("customer-journey-widget")?.scrollIntoView({block:"start"}))}setTemplate(t){this._template=M(C.template,t.target.value.trim())}startTail(t){t.preventDefault();let e=t.target.identity.value.trim();if(!e)return;this.stopTail(),this._tailId=e,this._tail=[],this._tailState="connecting";let s=this.api.stream(`/v1/api/events/stream/workspace-id/${u(this._ws)}/identity/${u(e)}`);this._es=s,s.onopen=()=>this._tailState="on",s.onerror=()=>this._tailState=s.readyState===EventSource.CLOSED?"closed":"connecting",s.addEventListener("event",i=>{try{let o=JSON.parse(i.data);this._tail=[o,...this._tail].slice(0,200)}catch{}})}stopTail(){this._es&&this._es.close(),this._es=null,this._tailState="off"}async loadSection(t){this._section={name:t,state:"loading"};try{let e=await this.api.get(q[t].path(this._ws));if(this._view!==t)return;let s=_t[t]?await this.api.get(_t[t].path).catch(()=>null):null;if(this._view!==t)return;this._section={name:t,state:"ok",data:e?.data,rules:s?.data}}catch(e){if(this._view!==t)return;this._section=e.status===404?{name:t,state:"missing"}:{name:t,state:"error",error:g(e)}}}render(){return this._token?r`<div class="app">
      <header class="bar">
        <span class="brand"><span class="logo" aria-hidden="true">J</span>jds <span class="sub">console</span></span>
        <span class="spacer"></span>
        <span class="ws" title="Workspace">Workspace <b>${this._ws}</b></span>
        <button class="ghost" @click=${this.signOut}>Sign out</button>
      </header>
      <nav aria-label="Sections">
        ${qt.map(([t,e])=>r`<a href=${`#/${t}`} aria-current=${this._view===t?"page":"false"}>${e}</a>`)}
      </nav>
      <main>${this.renderView()}</main>
    </div>`:this.renderSignIn()}renderSignIn(){return r`<main class="signin">
      <form class="card" @submit=${this.signIn} aria-labelledby="signin-title">
        <h1 id="signin-title"><span class="logo" aria-hidden="true">J</span> Sign in to jds</h1>
        <p class="muted">Paste a SharedAccessSignature token (jds prints an admin token when it starts; <code>jds token</code> mints others). It is kept in this browser tab only.</p>
        <label for="token">Token</label>
        <textarea id="token" name="token" rows="4" required spellcheck="false" placeholder="SharedAccessSignature so=…&amp;sn=…&amp;sig=…"></textarea>
        <label for="ws">Workspace</label>
        <input id="ws" name="ws" .value=${this._ws||"default"} autocomplete="off" />
        ${this._signError?r`<p class="error" role="alert">${this._signError}</p>`:l}
        <button class="primary" type="submit" ?disabled=${this._signing}>${this._signing?"Signing in…":"Sign in"}</button>
      </form>
    </main>`}renderView(){return this._view==="tail"?this.renderTail():q[this._view]?this.renderSection(this._view):this.renderPersons()}renderPersons(){let t=this._persons;return r`<h1>Persons</h1>
      <form class="find" role="search" @submit=${this.find}>
        <label for="q">Find by alias</label>
        <div class="row">
          <input id="q" name="q" type="search" placeholder="+12263762555, bob@example.com, customer ID…" autocomplete="off" required />
          <button class="primary" type="submit">Find</button>
        </div>
      </form>
      ${this._identity?r`<section class="journey" aria-label="Selected customer">
            ${this._findError?r`<p class="note" role="status">${this._findError}</p>`:l}
            ${(this._found||[]).map(e=>this.renderPersonCard(e))}
            <div class="tpl">
              <label for="tpl">Profile template</label>
              <input id="tpl" .value=${this._template} placeholder="name or id (optional)" @change=${this.setTemplate} />
            </div>
            <customer-journey-widget
              customer=${this._identity}
              workspace-id=${this._ws}
              .token=${this._token}
              template-id=${this._template}
              live-stream
            ></customer-journey-widget>
          </section>`:l}
      <section aria-label="All persons">
        <h2>All persons</h2>
        ${this._personsError?r`<p class="error" role="alert">${this._personsError}</p>`:l}
        ${t===null?r`<p class="muted">Loading…</p>`:t.length?r`<table class="list">
                <thead>
                  <tr><th>Name</th><th>Aliases</th><th class="wide">Updated</th></tr>
                </thead>
                <tbody>
                  ${t.map(e=>r`<tr>
                      <td><button class="link" @click=${()=>this.open(e)} aria-label=${`Open ${e.aliases?.[0]||e.id}`}>${[e.firstName,e.lastName].filter(Boolean).join(" ")||"Unnamed"}</button></td>
                      <td class="mono">${(e.aliases||[]).join(", ")}</td>
                      <td class="wide">${P(e.updatedAt)}</td>
                    </tr>`)}
                </tbody>
              </table>`:r`<p class="muted">No persons on this page.</p>`}
        <div class="pager">
          <button ?disabled=${this._page===0} @click=${()=>this.loadPersons(this._page-1)}>Previous</button>
          <span>Page ${this._page+1}</span>
          <button ?disabled=${!t||t.length<this._pageSize} @click=${()=>this.loadPersons(this._page+1)}>Next</button>
        </div>
      </section>`}renderPersonCard(t){let e=[t.firstName,t.lastName].filter(Boolean).join(" ")||"Unnamed person";return r`<div class="person">
      <div><b>${e}</b> <span class="muted mono">${t.id}</span></div>
      <div class="muted">Created ${P(t.createdAt)} · updated ${P(t.updatedAt)}${t.merges?.length?` · ${t.merges.length} merge(s)`:""}</div>
    </div>`}renderTail(){let t={off:"Stopped",connecting:"Connecting…",on:"Listening",closed:"Closed by the server"}[this._tailState];return r`<h1>Live tail</h1>
      <form class="find" @submit=${this.startTail}>
        <label for="tail-id">Identity</label>
        <div class="row">
          <input id="tail-id" name="identity" .value=${this._tailId} placeholder="+12263762555" autocomplete="off" required />
          <button class="primary" type="submit">Start</button>
          <button type="button" @click=${this.stopTail} ?disabled=${this._tailState==="off"}>Stop</button>
        </div>
      </form>
      <p class="status ${this._tailState}" role="status">${t}${this._tailId&&this._tailState!=="off"?r` · ${this._tailId}`:l}</p>
      ${this._tail.length?r`<table class="list tail" aria-label="Incoming events">
            <thead>
              <tr><th>Time</th><th>Type</th><th>Origin</th><th class="wide">Channel</th><th class="wide">Identity</th></tr>
            </thead>
            <tbody>
              ${this._tail.map(e=>r`<tr data-id=${e.id}>
                  <td>${P(e.time)}</td>
                  <td>${e.type}</td>
                  <td>${e.data?.origin??""}</td>
                  <td class="wide">${e.data?.channelType??""}</td>
                  <td class="wide mono">${e.identity}</td>
                </tr>`)}
            </tbody>
          </table>`:r`<p class="muted">Events posted for this identity appear here as they arrive.</p>`}`}renderSection(t){let e=this._section&&this._section.name===t?this._section:{state:"loading"},s;if(e.state==="loading")s=r`<p class="muted">Loading…</p>`;else if(e.state==="missing")s=r`<p class="note" role="status">Not available on this server.</p>`;else if(e.state==="error")s=r`<p class="error" role="alert">${e.error}</p>`;else if(t==="jobs")s=this.renderJobs(e.data||[]);else if(t==="deliveries"||t==="deadletters")s=this.renderDeliveries(e.data||[],t==="deadletters");else{let i=Array.isArray(e.data)?e.data:e.data?[e.data]:[];s=i.length?r`<table class="list">
            <thead>
              <tr><th>Name</th><th>Id</th><th>Source</th><th class="wide">Details</th></tr>
            </thead>
            <tbody>
              ${i.map(o=>r`<tr>
                  <td>${o.name??o.actionName??""}</td>
                  <td class="mono">${o.id??o.templateId??o.actionId??""}</td>
                  <td class="mono">${o.source??""}${o.readOnly?" (read-only)":""}</td>
                  <td class="wide"><code class="json">${JSON.stringify(o).slice(0,300)}</code></td>
                </tr>`)}
            </tbody>
          </table>`:r`<p class="muted">Nothing here yet.</p>`}return r`<h1>${q[t].title}</h1>
      <p class="muted mono">GET ${q[t].path(this._ws)}</p>
      ${e.rules?this.renderFileStatus(e.rules,_t[t].what):""} ${s}`}renderJobs(t){let e=s=>s?P(s):"—";return r`<div class="scroll-x"><table class="list" aria-label="Scheduled jobs">
      <thead>
        <tr><th>Job</th><th>Schedule</th><th>Last run</th><th>Took</th><th>Result</th><th>Next run</th><th></th></tr>
      </thead>
      <tbody>
        ${t.map(s=>r`<tr>
            <td class="mono nowrap">${s.name}</td>
            <td class="mono nowrap">${s.schedule}</td>
            <td>${e(s.lastStart)}</td>
            <td>${s.lastStart?`${s.lastDurationSeconds.toFixed(3)} s`:""}</td>
            <td>${s.running?"running":s.lastError?r`<span class="error">${s.lastError}</span>`:s.lastStart?"ok":""}</td>
            <td>${e(s.nextRun)}</td>
            <td><button ?disabled=${s.running} @click=${()=>this.runJob(s.name)}>Run now</button></td>
          </tr>`)}
      </tbody>
    </table></div>`}renderDeliveries(t,e){if(!t.length)return r`<p class="muted">${e?"No dead letters.":"Nothing queued yet."}</p>`;let s=i=>i&&!i.startsWith("0001-")?r`<time datetime=${i} title=${i}>${P(i)}</time>`:"—";return r`<div class="scroll-x"><table class="list deliveries" aria-label=${e?"Dead letters":"Deliveries"}>
      <thead>
        <tr>
          <th>State</th><th>Action</th><th>Connector</th><th>Person</th><th>Created</th><th>Due</th><th>Last attempt</th><th>Attempts</th>
          <th>${e?"Reason":"Last result"}</th>
        </tr>
      </thead>
      <tbody>
        ${t.map(i=>{let o=i.payload||{},n=o.connector||"inline webhook";return r`<tr data-id=${i.id} data-state=${i.state}>
            <td><span class="state ${i.state}">${i.state}</span></td>
            <td>${o.action||o.actionId||""}</td>
            <td class="mono nowrap" title=${o.url||""}>${n}</td>
            <td><span class="mono">${o.aliases?.[0]||""}</span><div class="muted mono small" title="Person id">${i.personId}</div></td>
            <td>${s(i.createdAt)}</td>
            <td>${s(i.due)}</td>
            <td>${i.attempts?s(i.updatedAt):"—"}</td>
            <td>${i.attempts}</td>
            <td>
              ${i.lastError?r`<span class="bad">${i.lastError}</span>`:""}
              ${i.response?r`<div class="muted mono small" title="The partner's answer">${i.response}</div>`:""}
            </td>
          </tr>`})}
      </tbody>
    </table></div>`}async runJob(t){try{await this.api.post(`/admin/v1/api/jobs/${u(t)}/run`)}catch(e){if(e.status!==409){this._section={name:"jobs",state:"error",error:g(e)};return}}for(let e=0;e<10;e++){await this.loadSection("jobs");let s=(this._section?.data||[]).find(i=>i.name===t);if(this._view!=="jobs"||!s||!s.running)return;await new Promise(i=>setTimeout(i,300))}}renderFileStatus(t,e){return t.ok?r`<p class="note" role="status">
        ${e} in <span class="mono">${t.dir}</span>: ${t.files.length} loaded${t.loadedAt?r` at ${t.loadedAt}`:""}.
      </p>`:r`<div class="error" role="alert" aria-label="${e.slice(0,-1)} errors">
      <p>${e} in <span class="mono">${t.dir}</span> have errors; the previous set stays in force:</p>
      <ul>
        ${t.errors.map(s=>r`<li class="mono">${s}</li>`)}
      </ul>
    </div>`}};T(V,"properties",{_token:{state:!0},_ws:{state:!0},_view:{state:!0},_signError:{state:!0},_signing:{state:!0},_persons:{state:!0},_page:{state:!0},_personsError:{state:!0},_found:{state:!0},_findError:{state:!0},_identity:{state:!0},_template:{state:!0},_tail:{state:!0},_tailId:{state:!0},_tailState:{state:!0},_section:{state:!0}}),T(V,"styles",O`
    :host {
      display: block;
      min-height: 100vh;
      font-family: system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif;
      font-size: 14px;
      color: #1f2328;
      background: #f6f8fa;
    }
    * {
      box-sizing: border-box;
    }
    button,
    input,
    select,
    textarea {
      font: inherit;
      color: inherit;
    }
    :focus-visible {
      outline: 2px solid #1d6ae5;
      outline-offset: 2px;
    }
    .logo {
      display: inline-flex;
      align-items: center;
      justify-content: center;
      width: 26px;
      height: 26px;
      border-radius: 6px;
      background: #1d6ae5;
      color: #fff;
      font-weight: 700;
      margin-right: 8px;
    }
    .signin {
      display: flex;
      justify-content: center;
      padding: 10vh 16px;
    }
    .card {
      width: 100%;
      max-width: 460px;
      background: #fff;
      border: 1px solid #d8dee4;
      border-radius: 10px;
      padding: 24px;
      display: flex;
      flex-direction: column;
      gap: 8px;
      box-shadow: 0 1px 3px rgba(0, 0, 0, 0.05);
    }
    .card h1 {
      display: flex;
      align-items: center;
      margin: 0 0 4px;
      font-size: 20px;
    }
    label {
      font-weight: 600;
      font-size: 13px;
    }
    input,
    textarea {
      border: 1px solid #c9d1d9;
      border-radius: 6px;
      padding: 7px 9px;
      background: #fff;
      min-width: 0;
    }
    textarea {
      font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
      font-size: 12px;
      resize: vertical;
    }
    button {
      cursor: pointer;
      border: 1px solid #c9d1d9;
      background: #fff;
      border-radius: 6px;
      padding: 6px 12px;
    }
    button:disabled {
      opacity: 0.55;
      cursor: default;
    }
    button.primary {
      background: #1d6ae5;
      border-color: #1d6ae5;
      color: #fff;
      font-weight: 600;
    }
    button.ghost {
      background: transparent;
      border-color: rgba(255, 255, 255, 0.4);
      color: #fff;
    }
    button.link {
      border: none;
      background: none;
      padding: 0;
      color: #1d6ae5;
      font-weight: 600;
      text-align: left;
    }
    button.link:hover {
      text-decoration: underline;
    }
    .muted {
      color: #6e7781;
    }
    .mono,
    code {
      font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
      font-size: 12px;
      overflow-wrap: anywhere;
    }
    .error {
      padding: 8px 10px;
      border-radius: 6px;
      background: #fff1f0;
      border: 1px solid #ffccc7;
      color: #a8071a;
      margin: 8px 0;
    }
    .note {
      padding: 8px 10px;
      border-radius: 6px;
      background: #fff8e1;
      border: 1px solid #f3d98b;
      color: #6b4f00;
      margin: 8px 0;
    }
    .app {
      display: grid;
      grid-template-columns: 200px 1fr;
      grid-template-rows: auto 1fr;
      min-height: 100vh;
    }
    .bar {
      grid-column: 1 / -1;
      display: flex;
      align-items: center;
      gap: 12px;
      padding: 10px 16px;
      background: #0f1b2d;
      color: #fff;
    }
    .brand {
      display: flex;
      align-items: center;
      font-weight: 700;
      font-size: 16px;
    }
    .brand .sub {
      font-weight: 400;
      opacity: 0.7;
      margin-left: 4px;
    }
    .spacer {
      flex: 1;
    }
    .ws {
      font-size: 13px;
      opacity: 0.9;
    }
    nav {
      display: flex;
      flex-direction: column;
      padding: 12px 8px;
      gap: 2px;
      background: #fff;
      border-right: 1px solid #d8dee4;
    }
    nav a {
      padding: 7px 10px;
      border-radius: 6px;
      color: #424a53;
      text-decoration: none;
    }
    nav a:hover {
      background: #f0f3f6;
    }
    nav a[aria-current='page'] {
      background: #e8f0fe;
      color: #0b4fc0;
      font-weight: 600;
    }
    main {
      padding: 16px 24px 40px;
      min-width: 0;
      max-width: 1100px;
    }
    h1 {
      font-size: 20px;
      margin: 4px 0 12px;
    }
    h2 {
      font-size: 15px;
      margin: 20px 0 8px;
    }
    .find {
      display: flex;
      flex-direction: column;
      gap: 6px;
      margin-bottom: 12px;
    }
    .row {
      display: flex;
      gap: 6px;
      flex-wrap: wrap;
    }
    .row input {
      flex: 1 1 220px;
    }
    .journey {
      background: #fff;
      border: 1px solid #d8dee4;
      border-radius: 10px;
      padding: 12px;
      margin-bottom: 16px;
    }
    .person {
      margin-bottom: 8px;
    }
    .tpl {
      display: flex;
      align-items: center;
      gap: 8px;
      margin: 8px 0;
      flex-wrap: wrap;
    }
    .list {
      width: 100%;
      border-collapse: collapse;
      background: #fff;
      border: 1px solid #d8dee4;
      border-radius: 8px;
      overflow: hidden;
    }
    .list th,
    .list td {
      text-align: left;
      padding: 7px 10px;
      border-bottom: 1px solid #eaeef2;
      vertical-align: top;
    }
    .list th {
      background: #f6f8fa;
      font-size: 12px;
      color: #57606a;
      font-weight: 600;
    }
    .scroll-x {
      overflow-x: auto;
    }
    .nowrap {
      white-space: nowrap;
    }
    .small {
      font-size: 11px;
    }
    .bad {
      color: #a8071a;
    }
    .state {
      display: inline-block;
      padding: 1px 8px;
      border-radius: 10px;
      font-size: 12px;
      font-weight: 600;
      background: #eaeef2;
      color: #424a53;
    }
    .state.sent {
      background: #dafbe1;
      color: #1a7f37;
    }
    .state.pending {
      background: #fff8c5;
      color: #7d4e00;
    }
    .state.dead {
      background: #ffebe9;
      color: #a8071a;
    }
    .pager {
      display: flex;
      align-items: center;
      gap: 10px;
      margin-top: 10px;
    }
    .status {
      font-size: 13px;
      color: #57606a;
    }
    .status.on {
      color: #1a7f37;
    }
    .status.closed {
      color: #a8071a;
    }
    @media (max-width: 720px) {
      .app {
        grid-template-columns: 1fr;
        grid-template-rows: auto auto 1fr;
      }
      nav {
        flex-direction: row;
        overflow-x: auto;
        border-right: none;
        border-bottom: 1px solid #d8dee4;
      }
      nav a {
        white-space: nowrap;
      }
      main {
        padding: 12px;
      }
      .wide {
        display: none;
      }
      .ws {
        display: none;
      }
    }
  `);customElements.define("jds-console",V);export{V as JdsConsole,q as SECTIONS};
