var Ne=Object.defineProperty;var Ie=(o,e,t)=>e in o?Ne(o,e,{enumerable:!0,configurable:!0,writable:!0,value:t}):o[e]=t;var V=(o,e,t)=>Ie(o,typeof e!="symbol"?e+"":e,t);var z=globalThis,j=z.ShadowRoot&&(z.ShadyCSS===void 0||z.ShadyCSS.nativeShadow)&&"adoptedStyleSheets"in Document.prototype&&"replace"in CSSStyleSheet.prototype,q=Symbol(),le=new WeakMap,C=class{constructor(e,t,s){if(this._$cssResult$=!0,s!==q)throw Error("CSSResult is not constructable. Use `unsafeCSS` or `css` instead.");this.cssText=e,this.t=t}get styleSheet(){let e=this.o,t=this.t;if(j&&e===void 0){let s=t!==void 0&&t.length===1;s&&(e=le.get(t)),e===void 0&&((this.o=e=new CSSStyleSheet).replaceSync(this.cssText),s&&le.set(t,e))}return e}toString(){return this.cssText}},he=o=>new C(typeof o=="string"?o:o+"",void 0,q),F=(o,...e)=>{let t=o.length===1?o[0]:e.reduce((s,i,r)=>s+(n=>{if(n._$cssResult$===!0)return n.cssText;if(typeof n=="number")return n;throw Error("Value passed to 'css' function must be a 'css' function result: "+n+". Use 'unsafeCSS' to pass non-literal values, but take care to ensure page security.")})(i)+o[r+1],o[0]);return new C(t,o,q)},ce=(o,e)=>{if(j)o.adoptedStyleSheets=e.map(t=>t instanceof CSSStyleSheet?t:t.styleSheet);else for(let t of e){let s=document.createElement("style"),i=z.litNonce;i!==void 0&&s.setAttribute("nonce",i),s.textContent=t.cssText,o.appendChild(s)}},K=j?o=>o:o=>o instanceof CSSStyleSheet?(e=>{let t="";for(let s of e.cssRules)t+=s.cssText;return he(t)})(o):o;var{is:Le,defineProperty:Ue,getOwnPropertyDescriptor:ze,getOwnPropertyNames:je,getOwnPropertySymbols:He,getPrototypeOf:De}=Object,H=globalThis,de=H.trustedTypes,Re=de?de.emptyScript:"",Be=H.reactiveElementPolyfillSupport,P=(o,e)=>o,W={toAttribute(o,e){switch(e){case Boolean:o=o?Re:null;break;case Object:case Array:o=o==null?o:JSON.stringify(o)}return o},fromAttribute(o,e){let t=o;switch(e){case Boolean:t=o!==null;break;case Number:t=o===null?null:Number(o);break;case Object:case Array:try{t=JSON.parse(o)}catch{t=null}}return t}},ue=(o,e)=>!Le(o,e),pe={attribute:!0,type:String,converter:W,reflect:!1,useDefault:!1,hasChanged:ue};Symbol.metadata??=Symbol("metadata"),H.litPropertyMetadata??=new WeakMap;var _=class extends HTMLElement{static addInitializer(e){this._$Ei(),(this.l??=[]).push(e)}static get observedAttributes(){return this.finalize(),this._$Eh&&[...this._$Eh.keys()]}static createProperty(e,t=pe){if(t.state&&(t.attribute=!1),this._$Ei(),this.prototype.hasOwnProperty(e)&&((t=Object.create(t)).wrapped=!0),this.elementProperties.set(e,t),!t.noAccessor){let s=Symbol(),i=this.getPropertyDescriptor(e,s,t);i!==void 0&&Ue(this.prototype,e,i)}}static getPropertyDescriptor(e,t,s){let{get:i,set:r}=ze(this.prototype,e)??{get(){return this[t]},set(n){this[t]=n}};return{get:i,set(n){let c=i?.call(this);r?.call(this,n),this.requestUpdate(e,c,s)},configurable:!0,enumerable:!0}}static getPropertyOptions(e){return this.elementProperties.get(e)??pe}static _$Ei(){if(this.hasOwnProperty(P("elementProperties")))return;let e=De(this);e.finalize(),e.l!==void 0&&(this.l=[...e.l]),this.elementProperties=new Map(e.elementProperties)}static finalize(){if(this.hasOwnProperty(P("finalized")))return;if(this.finalized=!0,this._$Ei(),this.hasOwnProperty(P("properties"))){let t=this.properties,s=[...je(t),...He(t)];for(let i of s)this.createProperty(i,t[i])}let e=this[Symbol.metadata];if(e!==null){let t=litPropertyMetadata.get(e);if(t!==void 0)for(let[s,i]of t)this.elementProperties.set(s,i)}this._$Eh=new Map;for(let[t,s]of this.elementProperties){let i=this._$Eu(t,s);i!==void 0&&this._$Eh.set(i,t)}this.elementStyles=this.finalizeStyles(this.styles)}static finalizeStyles(e){let t=[];if(Array.isArray(e)){let s=new Set(e.flat(1/0).reverse());for(let i of s)t.unshift(K(i))}else e!==void 0&&t.push(K(e));return t}static _$Eu(e,t){let s=t.attribute;return s===!1?void 0:typeof s=="string"?s:typeof e=="string"?e.toLowerCase():void 0}constructor(){super(),this._$Ep=void 0,this.isUpdatePending=!1,this.hasUpdated=!1,this._$Em=null,this._$Ev()}_$Ev(){this._$ES=new Promise(e=>this.enableUpdating=e),this._$AL=new Map,this._$E_(),this.requestUpdate(),this.constructor.l?.forEach(e=>e(this))}addController(e){(this._$EO??=new Set).add(e),this.renderRoot!==void 0&&this.isConnected&&e.hostConnected?.()}removeController(e){this._$EO?.delete(e)}_$E_(){let e=new Map,t=this.constructor.elementProperties;for(let s of t.keys())this.hasOwnProperty(s)&&(e.set(s,this[s]),delete this[s]);e.size>0&&(this._$Ep=e)}createRenderRoot(){let e=this.shadowRoot??this.attachShadow(this.constructor.shadowRootOptions);return ce(e,this.constructor.elementStyles),e}connectedCallback(){this.renderRoot??=this.createRenderRoot(),this.enableUpdating(!0),this._$EO?.forEach(e=>e.hostConnected?.())}enableUpdating(e){}disconnectedCallback(){this._$EO?.forEach(e=>e.hostDisconnected?.())}attributeChangedCallback(e,t,s){this._$AK(e,s)}_$ET(e,t){let s=this.constructor.elementProperties.get(e),i=this.constructor._$Eu(e,s);if(i!==void 0&&s.reflect===!0){let r=(s.converter?.toAttribute!==void 0?s.converter:W).toAttribute(t,s.type);this._$Em=e,r==null?this.removeAttribute(i):this.setAttribute(i,r),this._$Em=null}}_$AK(e,t){let s=this.constructor,i=s._$Eh.get(e);if(i!==void 0&&this._$Em!==i){let r=s.getPropertyOptions(i),n=typeof r.converter=="function"?{fromAttribute:r.converter}:r.converter?.fromAttribute!==void 0?r.converter:W;this._$Em=i;let c=n.fromAttribute(t,r.type);this[i]=c??this._$Ej?.get(i)??c,this._$Em=null}}requestUpdate(e,t,s,i=!1,r){if(e!==void 0){let n=this.constructor;if(i===!1&&(r=this[e]),s??=n.getPropertyOptions(e),!((s.hasChanged??ue)(r,t)||s.useDefault&&s.reflect&&r===this._$Ej?.get(e)&&!this.hasAttribute(n._$Eu(e,s))))return;this.C(e,t,s)}this.isUpdatePending===!1&&(this._$ES=this._$EP())}C(e,t,{useDefault:s,reflect:i,wrapped:r},n){s&&!(this._$Ej??=new Map).has(e)&&(this._$Ej.set(e,n??t??this[e]),r!==!0||n!==void 0)||(this._$AL.has(e)||(this.hasUpdated||s||(t=void 0),this._$AL.set(e,t)),i===!0&&this._$Em!==e&&(this._$Eq??=new Set).add(e))}async _$EP(){this.isUpdatePending=!0;try{await this._$ES}catch(t){Promise.reject(t)}let e=this.scheduleUpdate();return e!=null&&await e,!this.isUpdatePending}scheduleUpdate(){return this.performUpdate()}performUpdate(){if(!this.isUpdatePending)return;if(!this.hasUpdated){if(this.renderRoot??=this.createRenderRoot(),this._$Ep){for(let[i,r]of this._$Ep)this[i]=r;this._$Ep=void 0}let s=this.constructor.elementProperties;if(s.size>0)for(let[i,r]of s){let{wrapped:n}=r,c=this[i];n!==!0||this._$AL.has(i)||c===void 0||this.C(i,void 0,r,c)}}let e=!1,t=this._$AL;try{e=this.shouldUpdate(t),e?(this.willUpdate(t),this._$EO?.forEach(s=>s.hostUpdate?.()),this.update(t)):this._$EM()}catch(s){throw e=!1,this._$EM(),s}e&&this._$AE(t)}willUpdate(e){}_$AE(e){this._$EO?.forEach(t=>t.hostUpdated?.()),this.hasUpdated||(this.hasUpdated=!0,this.firstUpdated(e)),this.updated(e)}_$EM(){this._$AL=new Map,this.isUpdatePending=!1}get updateComplete(){return this.getUpdateComplete()}getUpdateComplete(){return this._$ES}shouldUpdate(e){return!0}update(e){this._$Eq&&=this._$Eq.forEach(t=>this._$ET(t,this[t])),this._$EM()}updated(e){}firstUpdated(e){}};_.elementStyles=[],_.shadowRootOptions={mode:"open"},_[P("elementProperties")]=new Map,_[P("finalized")]=new Map,Be?.({ReactiveElement:_}),(H.reactiveElementVersions??=[]).push("2.1.2");var ee=globalThis,fe=o=>o,D=ee.trustedTypes,me=D?D.createPolicy("lit-html",{createHTML:o=>o}):void 0,ve="$lit$",$=`lit$${Math.random().toFixed(9).slice(2)}$`,xe="?"+$,Ve=`<${xe}>`,w=document,O=()=>w.createComment(""),N=o=>o===null||typeof o!="object"&&typeof o!="function",te=Array.isArray,qe=o=>te(o)||typeof o?.[Symbol.iterator]=="function",J=`[ 	
\f\r]`,T=/<(?:(!--|\/[^a-zA-Z])|(\/?[a-zA-Z][^>\s]*)|(\/?$))/g,ge=/-->/g,_e=/>/g,v=RegExp(`>|${J}(?:([^\\s"'>=/]+)(${J}*=${J}*(?:[^ 	
\f\r"'\`<>=]|("|')|))|$)`,"g"),$e=/'/g,ye=/"/g,we=/^(?:script|style|textarea|title)$/i,se=o=>(e,...t)=>({_$litType$:o,strings:e,values:t}),l=se(1),ie=se(2),at=se(3),A=Symbol.for("lit-noChange"),h=Symbol.for("lit-nothing"),be=new WeakMap,x=w.createTreeWalker(w,129);function Ae(o,e){if(!te(o)||!o.hasOwnProperty("raw"))throw Error("invalid template strings array");return me!==void 0?me.createHTML(e):e}var Fe=(o,e)=>{let t=o.length-1,s=[],i,r=e===2?"<svg>":e===3?"<math>":"",n=T;for(let c=0;c<t;c++){let a=o[c],p,u,d=-1,f=0;for(;f<a.length&&(n.lastIndex=f,u=n.exec(a),u!==null);)f=n.lastIndex,n===T?u[1]==="!--"?n=ge:u[1]!==void 0?n=_e:u[2]!==void 0?(we.test(u[2])&&(i=RegExp("</"+u[2],"g")),n=v):u[3]!==void 0&&(n=v):n===v?u[0]===">"?(n=i??T,d=-1):u[1]===void 0?d=-2:(d=n.lastIndex-u[2].length,p=u[1],n=u[3]===void 0?v:u[3]==='"'?ye:$e):n===ye||n===$e?n=v:n===ge||n===_e?n=T:(n=v,i=void 0);let g=n===v&&o[c+1].startsWith("/>")?" ":"";r+=n===T?a+Ve:d>=0?(s.push(p),a.slice(0,d)+ve+a.slice(d)+$+g):a+$+(d===-2?c:g)}return[Ae(o,r+(o[t]||"<?>")+(e===2?"</svg>":e===3?"</math>":"")),s]},I=class o{constructor({strings:e,_$litType$:t},s){let i;this.parts=[];let r=0,n=0,c=e.length-1,a=this.parts,[p,u]=Fe(e,t);if(this.el=o.createElement(p,s),x.currentNode=this.el.content,t===2||t===3){let d=this.el.content.firstChild;d.replaceWith(...d.childNodes)}for(;(i=x.nextNode())!==null&&a.length<c;){if(i.nodeType===1){if(i.hasAttributes())for(let d of i.getAttributeNames())if(d.endsWith(ve)){let f=u[n++],g=i.getAttribute(d).split($),b=/([.?@])?(.*)/.exec(f);a.push({type:1,index:r,name:b[2],strings:g,ctor:b[1]==="."?Q:b[1]==="?"?Y:b[1]==="@"?Z:k}),i.removeAttribute(d)}else d.startsWith($)&&(a.push({type:6,index:r}),i.removeAttribute(d));if(we.test(i.tagName)){let d=i.textContent.split($),f=d.length-1;if(f>0){i.textContent=D?D.emptyScript:"";for(let g=0;g<f;g++)i.append(d[g],O()),x.nextNode(),a.push({type:2,index:++r});i.append(d[f],O())}}}else if(i.nodeType===8)if(i.data===xe)a.push({type:2,index:r});else{let d=-1;for(;(d=i.data.indexOf($,d+1))!==-1;)a.push({type:7,index:r}),d+=$.length-1}r++}}static createElement(e,t){let s=w.createElement("template");return s.innerHTML=e,s}};function S(o,e,t=o,s){if(e===A)return e;let i=s!==void 0?t._$Co?.[s]:t._$Cl,r=N(e)?void 0:e._$litDirective$;return i?.constructor!==r&&(i?._$AO?.(!1),r===void 0?i=void 0:(i=new r(o),i._$AT(o,t,s)),s!==void 0?(t._$Co??=[])[s]=i:t._$Cl=i),i!==void 0&&(e=S(o,i._$AS(o,e.values),i,s)),e}var G=class{constructor(e,t){this._$AV=[],this._$AN=void 0,this._$AD=e,this._$AM=t}get parentNode(){return this._$AM.parentNode}get _$AU(){return this._$AM._$AU}u(e){let{el:{content:t},parts:s}=this._$AD,i=(e?.creationScope??w).importNode(t,!0);x.currentNode=i;let r=x.nextNode(),n=0,c=0,a=s[0];for(;a!==void 0;){if(n===a.index){let p;a.type===2?p=new L(r,r.nextSibling,this,e):a.type===1?p=new a.ctor(r,a.name,a.strings,this,e):a.type===6&&(p=new X(r,this,e)),this._$AV.push(p),a=s[++c]}n!==a?.index&&(r=x.nextNode(),n++)}return x.currentNode=w,i}p(e){let t=0;for(let s of this._$AV)s!==void 0&&(s.strings!==void 0?(s._$AI(e,s,t),t+=s.strings.length-2):s._$AI(e[t])),t++}},L=class o{get _$AU(){return this._$AM?._$AU??this._$Cv}constructor(e,t,s,i){this.type=2,this._$AH=h,this._$AN=void 0,this._$AA=e,this._$AB=t,this._$AM=s,this.options=i,this._$Cv=i?.isConnected??!0}get parentNode(){let e=this._$AA.parentNode,t=this._$AM;return t!==void 0&&e?.nodeType===11&&(e=t.parentNode),e}get startNode(){return this._$AA}get endNode(){return this._$AB}_$AI(e,t=this){e=S(this,e,t),N(e)?e===h||e==null||e===""?(this._$AH!==h&&this._$AR(),this._$AH=h):e!==this._$AH&&e!==A&&this._(e):e._$litType$!==void 0?this.$(e):e.nodeType!==void 0?this.T(e):qe(e)?this.k(e):this._(e)}O(e){return this._$AA.parentNode.insertBefore(e,this._$AB)}T(e){this._$AH!==e&&(this._$AR(),this._$AH=this.O(e))}_(e){this._$AH!==h&&N(this._$AH)?this._$AA.nextSibling.data=e:this.T(w.createTextNode(e)),this._$AH=e}$(e){let{values:t,_$litType$:s}=e,i=typeof s=="number"?this._$AC(e):(s.el===void 0&&(s.el=I.createElement(Ae(s.h,s.h[0]),this.options)),s);if(this._$AH?._$AD===i)this._$AH.p(t);else{let r=new G(i,this),n=r.u(this.options);r.p(t),this.T(n),this._$AH=r}}_$AC(e){let t=be.get(e.strings);return t===void 0&&be.set(e.strings,t=new I(e)),t}k(e){te(this._$AH)||(this._$AH=[],this._$AR());let t=this._$AH,s,i=0;for(let r of e)i===t.length?t.push(s=new o(this.O(O()),this.O(O()),this,this.options)):s=t[i],s._$AI(r),i++;i<t.length&&(this._$AR(s&&s._$AB.nextSibling,i),t.length=i)}_$AR(e=this._$AA.nextSibling,t){for(this._$AP?.(!1,!0,t);e!==this._$AB;){let s=fe(e).nextSibling;fe(e).remove(),e=s}}setConnected(e){this._$AM===void 0&&(this._$Cv=e,this._$AP?.(e))}},k=class{get tagName(){return this.element.tagName}get _$AU(){return this._$AM._$AU}constructor(e,t,s,i,r){this.type=1,this._$AH=h,this._$AN=void 0,this.element=e,this.name=t,this._$AM=i,this.options=r,s.length>2||s[0]!==""||s[1]!==""?(this._$AH=Array(s.length-1).fill(new String),this.strings=s):this._$AH=h}_$AI(e,t=this,s,i){let r=this.strings,n=!1;if(r===void 0)e=S(this,e,t,0),n=!N(e)||e!==this._$AH&&e!==A,n&&(this._$AH=e);else{let c=e,a,p;for(e=r[0],a=0;a<r.length-1;a++)p=S(this,c[s+a],t,a),p===A&&(p=this._$AH[a]),n||=!N(p)||p!==this._$AH[a],p===h?e=h:e!==h&&(e+=(p??"")+r[a+1]),this._$AH[a]=p}n&&!i&&this.j(e)}j(e){e===h?this.element.removeAttribute(this.name):this.element.setAttribute(this.name,e??"")}},Q=class extends k{constructor(){super(...arguments),this.type=3}j(e){this.element[this.name]=e===h?void 0:e}},Y=class extends k{constructor(){super(...arguments),this.type=4}j(e){this.element.toggleAttribute(this.name,!!e&&e!==h)}},Z=class extends k{constructor(e,t,s,i,r){super(e,t,s,i,r),this.type=5}_$AI(e,t=this){if((e=S(this,e,t,0)??h)===A)return;let s=this._$AH,i=e===h&&s!==h||e.capture!==s.capture||e.once!==s.once||e.passive!==s.passive,r=e!==h&&(s===h||i);i&&this.element.removeEventListener(this.name,this,s),r&&this.element.addEventListener(this.name,this,e),this._$AH=e}handleEvent(e){typeof this._$AH=="function"?this._$AH.call(this.options?.host??this.element,e):this._$AH.handleEvent(e)}},X=class{constructor(e,t,s){this.element=e,this.type=6,this._$AN=void 0,this._$AM=t,this.options=s}get _$AU(){return this._$AM._$AU}_$AI(e){S(this,e)}};var Ke=ee.litHtmlPolyfillSupport;Ke?.(I,L),(ee.litHtmlVersions??=[]).push("3.3.3");var Se=(o,e,t)=>{let s=t?.renderBefore??e,i=s._$litPart$;if(i===void 0){let r=t?.renderBefore??null;s._$litPart$=i=new L(e.insertBefore(O(),r),r,void 0,t??{})}return i._$AI(o),i};var oe=globalThis,y=class extends _{constructor(){super(...arguments),this.renderOptions={host:this},this._$Do=void 0}createRenderRoot(){let e=super.createRenderRoot();return this.renderOptions.renderBefore??=e.firstChild,e}update(e){let t=this.render();this.hasUpdated||(this.renderOptions.isConnected=this.isConnected),super.update(e),this._$Do=Se(t,this.renderRoot,this.renderOptions)}connectedCallback(){super.connectedCallback(),this._$Do?.setConnected(!0)}disconnectedCallback(){super.disconnectedCallback(),this._$Do?.setConnected(!1)}render(){return A}};y._$litElement$=!0,y.finalized=!0,oe.litElementHydrateSupport?.({LitElement:y});var We=oe.litElementPolyfillSupport;We?.({LitElement:y});(oe.litElementVersions??=[]).push("4.2.2");var R=class extends Error{constructor(e,t,s=[],i=""){super(t),this.status=e,this.errors=s,this.trackingId=i}};function Je(o){if(!o)return;let e=o.trim();return/^(SharedAccessSignature|Bearer)\s/i.test(e)?e:`SharedAccessSignature ${e}`}function Ge(o){return(o||"").trim().replace(/^(SharedAccessSignature|Bearer)\s+/i,"")}var B=class{constructor({baseUrl:e="",token:t="",log:s=()=>{}}={}){this.baseUrl=(e||"").replace(/\/+$/,""),this.token=t,this.log=s}url(e,t){let s=this.baseUrl+e;if(t){let i=new URLSearchParams;for(let[n,c]of Object.entries(t))c!=null&&c!==""&&i.set(n,String(c));let r=i.toString();r&&(s+=(s.includes("?")?"&":"?")+r)}return s}async request(e,t,{query:s,body:i,contentType:r="application/json"}={}){let n={Accept:"application/json"},c=Je(this.token);c&&(n.Authorization=c),i!==void 0&&(n["Content-Type"]=r);let a=this.url(t,s);this.log(e,a);let p;try{p=await fetch(a,{method:e,headers:n,body:i===void 0?void 0:JSON.stringify(i)})}catch(f){throw new R(0,Qe(a,f))}let u=await p.text(),d=null;try{d=u?JSON.parse(u):null}catch{d=null}if(!p.ok){let f=d&&d.message||`${p.status} ${p.statusText||"error"}`,g=(d&&Array.isArray(d.errors)?d.errors:[]).filter(b=>b&&b!==f);throw new R(p.status,f,g,d&&d.trackingId||"")}return d}get(e,t){return this.request("GET",e,{query:t})}post(e,t){return this.request("POST",e,{body:t})}patch(e,t){return this.request("PATCH",e,{body:t})}stream(e,t={}){let s={...t},i=Ge(this.token);i&&(s.bearerToken=i);let r=this.url(e,s);return this.log("SSE",r.replace(/bearerToken=[^&]*/,"bearerToken=…")),new EventSource(r)}};function Qe(o,e){let t=globalThis.location?.origin,s="";try{s=new URL(o,globalThis.location?.href).origin}catch{s=""}return t&&s&&t!==s?`Cannot reach ${s}: ${e.message}. If it is running, it does not allow this page's origin ${t}: add it to cors.allowOrigins in its configuration (JDS_CORS_ORIGINS).`:`Cannot reach the server: ${e.message}`}var m=encodeURIComponent;function E(o){if(!o)return"";let e=o.errors&&o.errors.length?` (${o.errors.join("; ")})`:"";return`${o.message}${e}`}var ke={blue:"#1d6ae5",green:"#1f8a4c",black:"#1f2328",olive:"#6b7a1f",cyan:"#0a8aa8",violet:"#7b4fd6",red:"#d1343b",gray:"#6b7280",orange:"#d9650b",lime:"#5c9a0f",cobalt:"#0047ab",purple:"#8e2db5",yellow:"#b58a00",gold:"#b8860b",mint:"#13a386",slate:"#475569",pink:"#d63384"},Me="slate",Ye={phone:"M22 16.9v3a2 2 0 0 1-2.2 2 19.8 19.8 0 0 1-8.6-3.1 19.5 19.5 0 0 1-6-6A19.8 19.8 0 0 1 2.1 4.2 2 2 0 0 1 4.1 2h3a2 2 0 0 1 2 1.7c.1 1 .4 1.9.7 2.8a2 2 0 0 1-.5 2.1L8 9.9a16 16 0 0 0 6 6l1.3-1.3a2 2 0 0 1 2.1-.4c.9.3 1.8.6 2.8.7a2 2 0 0 1 1.7 2z",sms:"M21 15a2 2 0 0 1-2 2H7l-4 4V5a2 2 0 0 1 2-2h14a2 2 0 0 1 2 2zM8 9h8M8 13h5",email:"M4 4h16a2 2 0 0 1 2 2v12a2 2 0 0 1-2 2H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2zM22 6l-10 7L2 6",chat:"M21 11.5a8.4 8.4 0 0 1-9 8.4 8.5 8.5 0 0 1-3.8-.9L3 21l1.9-5.2A8.4 8.4 0 0 1 12 3a8.5 8.5 0 0 1 9 8.5z",web:"M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zM2 12h20M12 2a15.3 15.3 0 0 1 4 10 15.3 15.3 0 0 1-4 10 15.3 15.3 0 0 1-4-10 15.3 15.3 0 0 1 4-10z",payment:"M3 5h18a1 1 0 0 1 1 1v12a1 1 0 0 1-1 1H3a1 1 0 0 1-1-1V6a1 1 0 0 1 1-1zM2 10h20M6 15h4",login:"M15 3h4a2 2 0 0 1 2 2v14a2 2 0 0 1-2 2h-4M10 17l5-5-5-5M15 12H3",bell:"M18 8a6 6 0 0 0-12 0c0 7-3 9-3 9h18s-3-2-3-9M13.7 21a2 2 0 0 1-3.4 0",home:"M3 10l9-7 9 7v10a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2zM9 22V12h6v10",video:"M23 7l-7 5 7 5V7zM3 5h11a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H3a2 2 0 0 1-2-2V7a2 2 0 0 1 2-2z",user:"M20 21v-2a4 4 0 0 0-4-4H8a4 4 0 0 0-4 4v2M12 3a4 4 0 1 0 0 8 4 4 0 0 0 0-8z",queue:"M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zM12 6v6l4 2",social:"M18 2h-3a5 5 0 0 0-5 5v3H7v4h3v8h4v-8h3l1-4h-4V7a1 1 0 0 1 1-1h3z",agent:"M3 18v-6a9 9 0 0 1 18 0v6M21 19a2 2 0 0 1-2 2h-1a2 2 0 0 1-2-2v-3a2 2 0 0 1 2-2h3zM3 19a2 2 0 0 0 2 2h1a2 2 0 0 0 2-2v-3a2 2 0 0 0-2-2H3z",event:"M12 8a4 4 0 1 0 0 8 4 4 0 0 0 0-8z"},Ze={Voice:{icon:"phone",color:"blue"},Call:{icon:"phone",color:"blue"},Telephony:{icon:"phone",color:"blue"},IVR:{icon:"phone",color:"cobalt"},"Queued Caller":{icon:"queue",color:"orange"},"Closed Queue":{icon:"queue",color:"red"},SMS:{icon:"sms",color:"green"},WhatsApp:{icon:"sms",color:"mint"},Email:{icon:"email",color:"violet"},Chat:{icon:"chat",color:"cyan"},Messenger:{icon:"chat",color:"cobalt"},Social:{icon:"social",color:"cobalt"},Web:{icon:"web",color:"cyan"},Website:{icon:"web",color:"cyan"},NewVisit:{icon:"web",color:"cyan"},MortgageRates:{icon:"home",color:"olive"},Payment:{icon:"payment",color:"gold"},"Payment Notify":{icon:"bell",color:"red"},Notification:{icon:"bell",color:"orange"},LoginUser:{icon:"login",color:"purple"},Login:{icon:"login",color:"purple"},Webex:{icon:"agent",color:"black"},Agent:{icon:"agent",color:"black"},Video:{icon:"video",color:"pink"}},Ee={icon:"event",color:Me};function re(o,e){let t=String(e??""),s=n=>{if(!n)return;if(n[t])return n[t];let c=t.toLowerCase();for(let a of Object.keys(n))if(a.toLowerCase()===c)return n[a]},i=s(o)||s(Ze)||Ee,r=ke[String(i.color||"").toLowerCase()]?String(i.color).toLowerCase():Me;return{icon:i.icon||Ee.icon,color:r,css:ke[r]}}function Ce(o){let e=Ye[o]||(/^[Mm][\d\s.,-]/.test(o)?o:null);return e?ie`<svg viewBox="0 0 24 24" width="16" height="16" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><path d=${e}></path></svg>`:ie`<svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true"><text x="12" y="17" text-anchor="middle" font-size="15">${String(o).slice(0,4)}</text></svg>`}var ne={All:0,"24-Hours":24*36e5,"7-Days":168*36e5,"30-Days":720*36e5},Pe=["phone","email","customerId","socialId","temporaryId"],Te={phone:"Phone",email:"Email",customerId:"Customer ID",socialId:"Social ID",temporaryId:"Temporary ID"};function ae(o){let e=new Date(o);if(isNaN(e))return"unknown";let t=s=>String(s).padStart(2,"0");return`${e.getFullYear()}-${t(e.getMonth()+1)}-${t(e.getDate())}`}function Xe(o,e=new Date){if(o==="unknown")return"Unknown date";if(o===ae(e))return"Today";if(o===ae(e.getTime()-24*36e5))return"Yesterday";let[t,s,i]=o.split("-").map(Number);return new Intl.DateTimeFormat(void 0,{weekday:"short",year:"numeric",month:"short",day:"numeric"}).format(new Date(t,s-1,i))}function et(o){let e=new Date(o);return isNaN(e)?"":new Intl.DateTimeFormat(void 0,{hour:"2-digit",minute:"2-digit"}).format(e)}function Oe(o){try{return decodeURIComponent(o||"")}catch{return o||""}}function M(o){return o==null?"":typeof o=="object"?JSON.stringify(o):String(o)}function tt(o,e){return(Date.parse(e.time)||0)-(Date.parse(o.time)||0)}var U=class extends y{constructor(){super(),this.customer="",this.templateId="",this.limit=50,this.timeFrame="All",this.liveStream=!1,this.iconDataPath="",this.badgeKeyword="",this.collapseTimelineSection=!1,this.collapseProfileSection=!1,this.collapseAliasSection=!1,this.readOnlyAliases=!1,this.baseUrl="",this.token="",this.workspaceId="default",this.logsOn=!1,this._identity="",this._events=[],this._loading=!1,this._more=!1,this._page=0,this._error=null,this._expanded=new Set,this._hidden=new Set,this._frame="All",this._live="off",this._profile={state:"none"},this._person={state:"none"},this._aliasMsg=null,this._aliasBusy=!1,this._open={timeline:!0,profile:!0,alias:!0},this._iconMap=null,this._fresh=new Set,this._es=null,this._retry=null,this._gen=0}log(...e){this.logsOn&&console.debug("[customer-journey]",...e)}get api(){return new B({baseUrl:this.baseUrl,token:this.token,log:(...e)=>this.log(...e)})}get ws(){return this.workspaceId||"default"}willUpdate(e){e.has("customer")&&(this._identity=(this.customer||"").trim()),e.has("timeFrame")&&(this._frame=ne[this.timeFrame]!==void 0?this.timeFrame:"All"),e.has("collapseTimelineSection")&&(this._open={...this._open,timeline:!this.collapseTimelineSection}),e.has("collapseProfileSection")&&(this._open={...this._open,profile:!this.collapseProfileSection}),e.has("collapseAliasSection")&&(this._open={...this._open,alias:!this.collapseAliasSection})}updated(e){e.has("iconDataPath")&&this.loadIconMap(),["customer","_identity","baseUrl","token","workspaceId","limit","templateId"].some(s=>e.has(s))?this.reload():e.has("liveStream")&&this.connect()}disconnectedCallback(){super.disconnectedCallback(),this.disconnect()}connectedCallback(){super.connectedCallback(),this.hasUpdated&&this._identity&&this.reload()}async loadIconMap(){if(!this.iconDataPath){this._iconMap=null;return}try{let e=await fetch(this.iconDataPath);if(!e.ok)throw new Error(`${e.status} ${e.statusText}`);this._iconMap=await e.json(),this.log("icon map",this._iconMap)}catch(e){this._iconMap=null,this._error={message:`Icon map ${this.iconDataPath} could not be loaded: ${e.message}`}}}reload(){let e=++this._gen;if(this.disconnect(),this._events=[],this._expanded=new Set,this._fresh=new Set,this._error=null,this._page=0,this._more=!1,this._aliasMsg=null,this._lastLiveId=null,!this._identity){this._profile={state:"none"},this._person={state:"none"};return}this.loadEvents(e,0),this.loadProfile(e),this.loadPerson(e),this.connect()}async loadEvents(e,t){this._loading=!0;let s=Math.min(Math.max(parseInt(this.limit,10)||50,1),1e3);try{let i=await this.api.get(`/v1/api/events/workspace-id/${m(this.ws)}`,{identity:this._identity,pageSize:s,page:t});if(e!==this._gen)return;let r=Array.isArray(i?.data)?i.data:[];this.merge(r),this._page=t,this._more=r.length===s,this.dispatchEvent(new CustomEvent("journey-loaded",{detail:{identity:this._identity,count:this._events.length},bubbles:!0,composed:!0}))}catch(i){if(e!==this._gen)return;this._error=i,this.dispatchEvent(new CustomEvent("journey-error",{detail:{message:E(i)},bubbles:!0,composed:!0}))}finally{e===this._gen&&(this._loading=!1)}}merge(e,t=!1){let s=new Set(this._events.map(r=>r.id)),i=e.filter(r=>r&&r.id&&!s.has(r.id));i.length&&(t&&(this._fresh=new Set([...this._fresh,...i.map(r=>r.id)])),this._events=[...this._events,...i].sort(tt))}async loadProfile(e){let t=(this.templateId||"").trim();if(!t){this._profile={state:"none"};return}this._profile={state:"loading"};let s=`/v1/api/progressive-profile-view/workspace-id/${m(this.ws)}/identity/${m(this._identity)}`,i=/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(t);try{let r=await this.api.get(`${s}/${i?"template-id":"template-name"}/${m(t)}`);if(e!==this._gen)return;let n=Array.isArray(r?.data)?r.data[0]:r?.data;this._profile=n&&Array.isArray(n.attributes)&&n.attributes.length?{state:"ok",view:n}:{state:"empty"}}catch(r){if(e!==this._gen)return;this._profile=r.status===404?{state:"empty"}:{state:"error",error:r}}}async loadPerson(e){this._person={state:"loading"};try{let t=await this.api.get(`/admin/v1/api/person/workspace-id/${m(this.ws)}/aliases/${m(this._identity)}`);if(e!==this._gen)return;let s=Array.isArray(t?.data)?t.data[0]:null;this._person=s?{state:"ok",person:s}:{state:"empty"}}catch(t){if(e!==this._gen)return;this._person=t.status===404?{state:"empty"}:{state:"error",error:t}}}connect(){if(this.disconnect(),!this.liveStream||!this._identity||typeof EventSource>"u")return;let e=this._gen,t=this._lastLiveId||(this._events.length?this._events[0].id:""),s=this.api.stream(`/v1/api/events/stream/workspace-id/${m(this.ws)}/identity/${m(this._identity)}`,t?{lastEventId:t}:{});this._es=s,this._live="connecting",s.onopen=()=>{this._es===s&&(this._live="on")},s.addEventListener("event",i=>{if(this._es!==s||e!==this._gen)return;let r;try{r=JSON.parse(i.data)}catch{return}this._lastLiveId=i.lastEventId||r.id,this.log("live event",r),this.merge([r],!0),this.dispatchEvent(new CustomEvent("journey-event",{detail:r,bubbles:!0,composed:!0}))}),s.onerror=()=>{this._es===s&&(s.readyState===EventSource.CLOSED?(this._live="off",clearTimeout(this._retry),this._retry=setTimeout(()=>{this._es===s&&e===this._gen&&this.connect()},5e3)):this._live="connecting")}}disconnect(){clearTimeout(this._retry),this._es&&(this._es.close(),this._es=null),this._live="off"}async addAlias(e){e.preventDefault();let t=e.target,s=t.kind.value,i=t.value.value.trim();!i||this._person.state!=="ok"||(await this.changeAliases(`/admin/v1/api/person/add-identities/workspace-id/${m(this.ws)}/person-id/${m(this._person.person.id)}`,{[s]:[i]},`Added ${i}`),this._aliasMsg?.ok&&(t.value.value=""))}removeAlias(e){return this.changeAliases(`/admin/v1/api/person/remove-identities/workspace-id/${m(this.ws)}/person-id/${m(this._person.person.id)}`,[e],`Removed ${e}`)}async changeAliases(e,t,s){this._aliasBusy=!0,this._aliasMsg=null;try{let i=await this.api.patch(e,t);i?.data&&(this._person={state:"ok",person:i.data}),this._aliasMsg={ok:!0,text:s}}catch(i){this._aliasMsg={ok:!1,text:E(i)}}finally{this._aliasBusy=!1}}search(e){e.preventDefault();let t=e.target.identity.value.trim();t&&(this._identity=t)}clearSearch(){this._identity=""}toggle(e){let t=new Set(this._expanded);t.has(e)?t.delete(e):t.add(e),this._expanded=t}toggleType(e){let t=new Set(this._hidden);t.has(e)?t.delete(e):t.add(e),this._hidden=t}toggleSection(e){this._open={...this._open,[e]:!this._open[e]}}get visible(){let e=ne[this._frame]||0,t=e?Date.now()-e:-1/0;return this._events.filter(s=>!this._hidden.has(this.typeOf(s))&&(!e||(Date.parse(s.time)||0)>=t))}typeOf(e){return String(e?.data?.channelType??"")||"Other"}render(){return l`<section class="cjw" aria-label="Customer journey">
      <header class="top">
        <div class="title">
          <h2>Customer Journey</h2>
          ${this._identity?l`<span class="who" title=${this._identity}>${this._identity}</span>`:h}
        </div>
        <div class="tools">
          ${this.liveStream&&this._identity?l`<span class="live ${this._live}" role="status" aria-label=${`Live updates: ${this._live==="on"?"connected":this._live==="connecting"?"connecting":"off"}`}
                ><span class="dot" aria-hidden="true"></span>${this._live==="on"?"Live":this._live==="connecting"?"Connecting":"Offline"}</span
              >`:h}
          ${this._identity?l`<button class="icon-btn" @click=${()=>this.reload()} aria-label="Refresh journey" title="Refresh">
                <svg viewBox="0 0 24 24" width="16" height="16" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" aria-hidden="true"><path d="M21 12a9 9 0 1 1-3-6.7L21 8M21 3v5h-5"></path></svg>
              </button>`:h}
          ${this._identity&&!this.customer?l`<button class="icon-btn" @click=${this.clearSearch} aria-label="Search another customer" title="Search another customer">
                <svg viewBox="0 0 24 24" width="16" height="16" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" aria-hidden="true"><path d="M11 4a7 7 0 1 0 0 14 7 7 0 0 0 0-14zM21 21l-5-5"></path></svg>
              </button>`:h}
        </div>
      </header>
      ${this._identity?h:this.renderSearch()}
      ${this._error?l`<div class="error" role="alert">${E(this._error)}</div>`:h}
      ${this._identity?l`${this.renderProfile()} ${this.renderAliases()} ${this.renderTimeline()}`:h}
    </section>`}renderSearch(){return l`<form class="search" role="search" @submit=${this.search}>
      <label for="q">Customer identity</label>
      <div class="row">
        <input id="q" name="identity" type="search" placeholder="Phone, email or customer ID" autocomplete="off" required />
        <button type="submit" class="primary">Look up</button>
      </div>
    </form>`}sectionHead(e,t,s=h){let i=this._open[e];return l`<h3 class="sec-head">
      <button class="sec-toggle" aria-expanded=${i?"true":"false"} aria-controls=${`sec-${e}`} @click=${()=>this.toggleSection(e)}>
        <svg class="chev ${i?"open":""}" viewBox="0 0 24 24" width="14" height="14" fill="none" stroke="currentColor" stroke-width="2.5" aria-hidden="true"><path d="M9 6l6 6-6 6"></path></svg>
        ${t}
      </button>
      ${s}
    </h3>`}renderProfile(){let e=this._profile;if(!this.templateId)return h;let t;e.state==="loading"?t=l`<p class="muted">Loading profile…</p>`:e.state==="error"?t=l`<p class="error" role="alert">${E(e.error)}</p>`:e.state==="ok"?t=l`<table class="kv" aria-label="Profile attributes">
        <tbody>
          ${e.view.attributes.map(i=>l`<tr>
              <th scope="row">${i.displayName||i.name}</th>
              <td>${i.error?l`<span class="bad">${M(i.error)}</span>`:M(i.result??i.value)}</td>
            </tr>`)}
        </tbody>
      </table>`:t=l`<p class="muted">No profile</p>`;let s=e.state==="ok"&&e.view.templateName?`Profile · ${e.view.templateName}`:"Profile";return l`<div class="section" part="profile">
      ${this.sectionHead("profile",s)}
      <div id="sec-profile" ?hidden=${!this._open.profile}>${t}</div>
    </div>`}renderAliases(){let e=this._person,t;if(e.state==="loading")t=l`<p class="muted">Loading aliases…</p>`;else if(e.state==="error")t=l`<p class="error" role="alert">${E(e.error)}</p>`;else if(e.state==="empty")t=l`<p class="muted">No person owns this identity yet.</p>`;else if(e.state==="ok"){let s=e.person,i=this.readOnlyAliases,r=Pe.filter(n=>(s[n]||[]).length);t=l`
        ${s.firstName||s.lastName?l`<p class="name">${[s.firstName,s.lastName].filter(Boolean).join(" ")}</p>`:h}
        <ul class="aliases" aria-label="Aliases">
          ${r.map(n=>s[n].map(c=>l`<li class="alias" data-kind=${n}>
                <span class="kind">${Te[n]}</span><span class="val" title=${c}>${c}</span>
                ${i?h:l`<button class="icon-btn small" ?disabled=${this._aliasBusy} aria-label=${`Remove alias ${c}`} title="Remove" @click=${()=>this.removeAlias(c)}>
                      <svg viewBox="0 0 24 24" width="12" height="12" fill="none" stroke="currentColor" stroke-width="2.5" stroke-linecap="round" aria-hidden="true"><path d="M6 6l12 12M18 6L6 18"></path></svg>
                    </button>`}
              </li>`))}
        </ul>
        ${i?h:l`<form class="add-alias" @submit=${this.addAlias} aria-label="Add alias">
              <select name="kind" aria-label="Alias kind">
                ${Pe.map(n=>l`<option value=${n} ?selected=${n==="email"}>${Te[n]}</option>`)}
              </select>
              <input name="value" aria-label="Alias value" placeholder="New alias" required />
              <button type="submit" ?disabled=${this._aliasBusy}>Add</button>
            </form>`}
        ${this._aliasMsg?l`<p class=${this._aliasMsg.ok?"ok":"error"} role=${this._aliasMsg.ok?"status":"alert"}>${this._aliasMsg.text}</p>`:h}
      `}return l`<div class="section" part="aliases">
      ${this.sectionHead("alias","Aliases")}
      <div id="sec-alias" ?hidden=${!this._open.alias}>${t??h}</div>
    </div>`}renderTimeline(){let e=[...new Set(this._events.map(r=>this.typeOf(r)))].sort((r,n)=>r.localeCompare(n)),t=this.visible,s=[];for(let r of t){let n=ae(r.time);(!s.length||s[s.length-1].key!==n)&&s.push({key:n,items:[]}),s[s.length-1].items.push(r)}let i=l`<span class="count" aria-live="polite">${t.length===this._events.length?`${t.length}`:`${t.length} of ${this._events.length}`}</span>`;return l`<div class="section" part="timeline">
      ${this.sectionHead("timeline","Timeline",i)}
      <div id="sec-timeline" ?hidden=${!this._open.timeline}>
        <div class="filters">
          <label class="frame"
            ><span>Time frame</span>
            <select aria-label="Time frame" @change=${r=>this._frame=r.target.value}>
              ${Object.keys(ne).map(r=>l`<option value=${r} ?selected=${r===this._frame}>${r==="All"?"All time":r.replace("-"," ")}</option>`)}
            </select></label
          >
          ${e.length>1?l`<div class="chips" role="group" aria-label="Filter by channel type">
                ${e.map(r=>{let n=!this._hidden.has(r),c=re(this._iconMap,r);return l`<button class="chip ${n?"on":""}" aria-pressed=${n?"true":"false"} data-type=${r} style=${`--c:${c.css}`} @click=${()=>this.toggleType(r)}>
                    <span class="sw" aria-hidden="true"></span>${r}
                  </button>`})}
              </div>`:h}
        </div>
        ${this._loading&&!this._events.length?l`<p class="muted">Loading events…</p>`:h}
        ${!this._loading&&!this._error&&!this._events.length?l`<p class="muted empty">No events for this customer yet.</p>`:h}
        ${this._events.length&&!t.length?l`<p class="muted empty">No events match the filters.</p>`:h}
        ${s.map(r=>l`<div class="day" data-day=${r.key}>
            <h4 class="day-head">${Xe(r.key)}</h4>
            <ol class="events">
              ${r.items.map(n=>this.renderEvent(n))}
            </ol>
          </div>`)}
        ${this._more?l`<button class="more" ?disabled=${this._loading} @click=${()=>this.loadEvents(this._gen,this._page+1)}>${this._loading?"Loading…":"Load older events"}</button>`:h}
      </div>
    </div>`}renderEvent(e){let t=e.data&&typeof e.data=="object"?e.data:{},s=this.typeOf(e),i=re(this._iconMap,t.channelType),r=this._expanded.has(e.id),n=M(t.origin)||e.type,c=this.badgeKeyword?M(t[this.badgeKeyword]):M(t.channelType),a=`ev-${e.id}`.replace(/[^A-Za-z0-9_-]/g,"_");return l`<li class="event ${this._fresh.has(e.id)?"fresh":""}" data-id=${e.id} data-type=${s} data-color=${i.color}>
      <button class="ev-head" aria-expanded=${r?"true":"false"} aria-controls=${a} @click=${()=>this.toggle(e.id)}>
        <span class="ic" style=${`--c:${i.css}`} data-icon=${i.icon}>${Ce(i.icon)}</span>
        <span class="ev-main">
          <span class="ev-title">${n}</span>
          <span class="ev-sub">${e.type}${e.source?l` · ${Oe(e.source)}`:h}</span>
        </span>
        <span class="ev-side">
          <time datetime=${e.time}>${et(e.time)}</time>
          ${c?l`<span class="badge" style=${`--c:${i.css}`}>${c}</span>`:h}
        </span>
      </button>
      ${r?l`<div class="ev-body" id=${a}>
            <table class="kv" aria-label=${`Details of ${n}`}>
              <tbody>
                ${Object.entries(t).map(([p,u])=>l`<tr><th scope="row">${p}</th><td>${M(u)}</td></tr>`)}
                <tr class="meta"><th scope="row">type</th><td>${e.type}</td></tr>
                <tr class="meta"><th scope="row">source</th><td>${Oe(e.source)}</td></tr>
                <tr class="meta"><th scope="row">identity</th><td>${e.identity} (${e.identitytype})</td></tr>
                ${e.previousidentity?l`<tr class="meta"><th scope="row">previous identity</th><td>${e.previousidentity}</td></tr>`:h}
                <tr class="meta"><th scope="row">time</th><td>${e.time?new Date(e.time).toLocaleString():""}</td></tr>
                <tr class="meta"><th scope="row">id</th><td>${e.id}</td></tr>
              </tbody>
            </table>
          </div>`:h}
    </li>`}};V(U,"properties",{customer:{type:String},templateId:{type:String,attribute:"template-id"},limit:{type:Number},timeFrame:{type:String,attribute:"time-frame"},liveStream:{type:Boolean,attribute:"live-stream"},iconDataPath:{type:String,attribute:"icon-data-path"},badgeKeyword:{type:String,attribute:"badge-keyword"},collapseTimelineSection:{type:Boolean,attribute:"collapse-timeline-section"},collapseProfileSection:{type:Boolean,attribute:"collapse-profile-section"},collapseAliasSection:{type:Boolean,attribute:"collapse-alias-section"},readOnlyAliases:{type:Boolean,attribute:"read-only-aliases"},baseUrl:{type:String,attribute:"base-url"},token:{type:String},workspaceId:{type:String,attribute:"workspace-id"},logsOn:{type:Boolean,attribute:"logs-on"},_identity:{state:!0},_events:{state:!0},_loading:{state:!0},_more:{state:!0},_error:{state:!0},_expanded:{state:!0},_hidden:{state:!0},_frame:{state:!0},_live:{state:!0},_profile:{state:!0},_person:{state:!0},_aliasMsg:{state:!0},_aliasBusy:{state:!0},_open:{state:!0},_iconMap:{state:!0},_fresh:{state:!0}}),V(U,"styles",F`
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
  `);customElements.get("customer-journey-widget")||customElements.define("customer-journey-widget",U);export{Pe as ALIAS_KINDS,U as CustomerJourneyWidget,ne as TIME_FRAMES,ae as dayKey};
