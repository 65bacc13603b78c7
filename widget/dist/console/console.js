var Rt=Object.defineProperty;var Ht=(o,t,e)=>t in o?Rt(o,t,{enumerable:!0,configurable:!0,writable:!0,value:e}):o[t]=e;var M=(o,t,e)=>Ht(o,typeof t!="symbol"?t+"":t,e);var V=globalThis,J=V.ShadowRoot&&(V.ShadyCSS===void 0||V.ShadyCSS.nativeShadow)&&"adoptedStyleSheets"in Document.prototype&&"replace"in CSSStyleSheet.prototype,Q=Symbol(),ft=new WeakMap,O=class{constructor(t,e,s){if(this._$cssResult$=!0,s!==Q)throw Error("CSSResult is not constructable. Use `unsafeCSS` or `css` instead.");this.cssText=t,this.t=e}get styleSheet(){let t=this.o,e=this.t;if(J&&t===void 0){let s=e!==void 0&&e.length===1;s&&(t=ft.get(e)),t===void 0&&((this.o=t=new CSSStyleSheet).replaceSync(this.cssText),s&&ft.set(e,t))}return t}toString(){return this.cssText}},mt=o=>new O(typeof o=="string"?o:o+"",void 0,Q),j=(o,...t)=>{let e=o.length===1?o[0]:t.reduce((s,i,a)=>s+(r=>{if(r._$cssResult$===!0)return r.cssText;if(typeof r=="number")return r;throw Error("Value passed to 'css' function must be a 'css' function result: "+r+". Use 'unsafeCSS' to pass non-literal values, but take care to ensure page security.")})(i)+o[a+1],o[0]);return new O(e,o,Q)},gt=(o,t)=>{if(J)o.adoptedStyleSheets=t.map(e=>e instanceof CSSStyleSheet?e:e.styleSheet);else for(let e of t){let s=document.createElement("style"),i=V.litNonce;i!==void 0&&s.setAttribute("nonce",i),s.textContent=e.cssText,o.appendChild(s)}},Y=J?o=>o:o=>o instanceof CSSStyleSheet?(t=>{let e="";for(let s of t.cssRules)e+=s.cssText;return mt(e)})(o):o;var{is:Bt,defineProperty:qt,getOwnPropertyDescriptor:Ft,getOwnPropertyNames:Vt,getOwnPropertySymbols:Jt,getPrototypeOf:Kt}=Object,K=globalThis,bt=K.trustedTypes,Wt=bt?bt.emptyScript:"",Gt=K.reactiveElementPolyfillSupport,z=(o,t)=>o,Z={toAttribute(o,t){switch(t){case Boolean:o=o?Wt:null;break;case Object:case Array:o=o==null?o:JSON.stringify(o)}return o},fromAttribute(o,t){let e=o;switch(t){case Boolean:e=o!==null;break;case Number:e=o===null?null:Number(o);break;case Object:case Array:try{e=JSON.parse(o)}catch{e=null}}return e}},$t=(o,t)=>!Bt(o,t),_t={attribute:!0,type:String,converter:Z,reflect:!1,useDefault:!1,hasChanged:$t};Symbol.metadata??=Symbol("metadata"),K.litPropertyMetadata??=new WeakMap;var $=class extends HTMLElement{static addInitializer(t){this._$Ei(),(this.l??=[]).push(t)}static get observedAttributes(){return this.finalize(),this._$Eh&&[...this._$Eh.keys()]}static createProperty(t,e=_t){if(e.state&&(e.attribute=!1),this._$Ei(),this.prototype.hasOwnProperty(t)&&((e=Object.create(e)).wrapped=!0),this.elementProperties.set(t,e),!e.noAccessor){let s=Symbol(),i=this.getPropertyDescriptor(t,s,e);i!==void 0&&qt(this.prototype,t,i)}}static getPropertyDescriptor(t,e,s){let{get:i,set:a}=Ft(this.prototype,t)??{get(){return this[e]},set(r){this[e]=r}};return{get:i,set(r){let c=i?.call(this);a?.call(this,r),this.requestUpdate(t,c,s)},configurable:!0,enumerable:!0}}static getPropertyOptions(t){return this.elementProperties.get(t)??_t}static _$Ei(){if(this.hasOwnProperty(z("elementProperties")))return;let t=Kt(this);t.finalize(),t.l!==void 0&&(this.l=[...t.l]),this.elementProperties=new Map(t.elementProperties)}static finalize(){if(this.hasOwnProperty(z("finalized")))return;if(this.finalized=!0,this._$Ei(),this.hasOwnProperty(z("properties"))){let e=this.properties,s=[...Vt(e),...Jt(e)];for(let i of s)this.createProperty(i,e[i])}let t=this[Symbol.metadata];if(t!==null){let e=litPropertyMetadata.get(t);if(e!==void 0)for(let[s,i]of e)this.elementProperties.set(s,i)}this._$Eh=new Map;for(let[e,s]of this.elementProperties){let i=this._$Eu(e,s);i!==void 0&&this._$Eh.set(i,e)}this.elementStyles=this.finalizeStyles(this.styles)}static finalizeStyles(t){let e=[];if(Array.isArray(t)){let s=new Set(t.flat(1/0).reverse());for(let i of s)e.unshift(Y(i))}else t!==void 0&&e.push(Y(t));return e}static _$Eu(t,e){let s=e.attribute;return s===!1?void 0:typeof s=="string"?s:typeof t=="string"?t.toLowerCase():void 0}constructor(){super(),this._$Ep=void 0,this.isUpdatePending=!1,this.hasUpdated=!1,this._$Em=null,this._$Ev()}_$Ev(){this._$ES=new Promise(t=>this.enableUpdating=t),this._$AL=new Map,this._$E_(),this.requestUpdate(),this.constructor.l?.forEach(t=>t(this))}addController(t){(this._$EO??=new Set).add(t),this.renderRoot!==void 0&&this.isConnected&&t.hostConnected?.()}removeController(t){this._$EO?.delete(t)}_$E_(){let t=new Map,e=this.constructor.elementProperties;for(let s of e.keys())this.hasOwnProperty(s)&&(t.set(s,this[s]),delete this[s]);t.size>0&&(this._$Ep=t)}createRenderRoot(){let t=this.shadowRoot??this.attachShadow(this.constructor.shadowRootOptions);return gt(t,this.constructor.elementStyles),t}connectedCallback(){this.renderRoot??=this.createRenderRoot(),this.enableUpdating(!0),this._$EO?.forEach(t=>t.hostConnected?.())}enableUpdating(t){}disconnectedCallback(){this._$EO?.forEach(t=>t.hostDisconnected?.())}attributeChangedCallback(t,e,s){this._$AK(t,s)}_$ET(t,e){let s=this.constructor.elementProperties.get(t),i=this.constructor._$Eu(t,s);if(i!==void 0&&s.reflect===!0){let a=(s.converter?.toAttribute!==void 0?s.converter:Z).toAttribute(e,s.type);this._$Em=t,a==null?this.removeAttribute(i):this.setAttribute(i,a),this._$Em=null}}_$AK(t,e){let s=this.constructor,i=s._$Eh.get(t);if(i!==void 0&&this._$Em!==i){let a=s.getPropertyOptions(i),r=typeof a.converter=="function"?{fromAttribute:a.converter}:a.converter?.fromAttribute!==void 0?a.converter:Z;this._$Em=i;let c=r.fromAttribute(e,a.type);this[i]=c??this._$Ej?.get(i)??c,this._$Em=null}}requestUpdate(t,e,s,i=!1,a){if(t!==void 0){let r=this.constructor;if(i===!1&&(a=this[t]),s??=r.getPropertyOptions(t),!((s.hasChanged??$t)(a,e)||s.useDefault&&s.reflect&&a===this._$Ej?.get(t)&&!this.hasAttribute(r._$Eu(t,s))))return;this.C(t,e,s)}this.isUpdatePending===!1&&(this._$ES=this._$EP())}C(t,e,{useDefault:s,reflect:i,wrapped:a},r){s&&!(this._$Ej??=new Map).has(t)&&(this._$Ej.set(t,r??e??this[t]),a!==!0||r!==void 0)||(this._$AL.has(t)||(this.hasUpdated||s||(e=void 0),this._$AL.set(t,e)),i===!0&&this._$Em!==t&&(this._$Eq??=new Set).add(t))}async _$EP(){this.isUpdatePending=!0;try{await this._$ES}catch(e){Promise.reject(e)}let t=this.scheduleUpdate();return t!=null&&await t,!this.isUpdatePending}scheduleUpdate(){return this.performUpdate()}performUpdate(){if(!this.isUpdatePending)return;if(!this.hasUpdated){if(this.renderRoot??=this.createRenderRoot(),this._$Ep){for(let[i,a]of this._$Ep)this[i]=a;this._$Ep=void 0}let s=this.constructor.elementProperties;if(s.size>0)for(let[i,a]of s){let{wrapped:r}=a,c=this[i];r!==!0||this._$AL.has(i)||c===void 0||this.C(i,void 0,a,c)}}let t=!1,e=this._$AL;try{t=this.shouldUpdate(e),t?(this.willUpdate(e),this._$EO?.forEach(s=>s.hostUpdate?.()),this.update(e)):this._$EM()}catch(s){throw t=!1,this._$EM(),s}t&&this._$AE(e)}willUpdate(t){}_$AE(t){this._$EO?.forEach(e=>e.hostUpdated?.()),this.hasUpdated||(this.hasUpdated=!0,this.firstUpdated(t)),this.updated(t)}_$EM(){this._$AL=new Map,this.isUpdatePending=!1}get updateComplete(){return this.getUpdateComplete()}getUpdateComplete(){return this._$ES}shouldUpdate(t){return!0}update(t){this._$Eq&&=this._$Eq.forEach(e=>this._$ET(e,this[e])),this._$EM()}updated(t){}firstUpdated(t){}};$.elementStyles=[],$.shadowRootOptions={mode:"open"},$[z("elementProperties")]=new Map,$[z("finalized")]=new Map,Gt?.({ReactiveElement:$}),(K.reactiveElementVersions??=[]).push("2.1.2");var ot=globalThis,yt=o=>o,W=ot.trustedTypes,vt=W?W.createPolicy("lit-html",{createHTML:o=>o}):void 0,Et="$lit$",y=`lit$${Math.random().toFixed(9).slice(2)}$`,Ct="?"+y,Qt=`<${Ct}>`,S=document,D=()=>S.createComment(""),U=o=>o===null||typeof o!="object"&&typeof o!="function",rt=Array.isArray,Yt=o=>rt(o)||typeof o?.[Symbol.iterator]=="function",X=`[ 	
\f\r]`,L=/<(?:(!--|\/[^a-zA-Z])|(\/?[a-zA-Z][^>\s]*)|(\/?$))/g,xt=/-->/g,wt=/>/g,x=RegExp(`>|${X}(?:([^\\s"'>=/]+)(${X}*=${X}*(?:[^ 	
\f\r"'\`<>=]|("|')|))|$)`,"g"),St=/'/g,kt=/"/g,Mt=/^(?:script|style|textarea|title)$/i,nt=o=>(t,...e)=>({_$litType$:o,strings:t,values:e}),n=nt(1),lt=nt(2),fe=nt(3),k=Symbol.for("lit-noChange"),l=Symbol.for("lit-nothing"),At=new WeakMap,w=S.createTreeWalker(S,129);function Tt(o,t){if(!rt(o)||!o.hasOwnProperty("raw"))throw Error("invalid template strings array");return vt!==void 0?vt.createHTML(t):t}var Zt=(o,t)=>{let e=o.length-1,s=[],i,a=t===2?"<svg>":t===3?"<math>":"",r=L;for(let c=0;c<e;c++){let d=o[c],p,f,h=-1,m=0;for(;m<d.length&&(r.lastIndex=m,f=r.exec(d),f!==null);)m=r.lastIndex,r===L?f[1]==="!--"?r=xt:f[1]!==void 0?r=wt:f[2]!==void 0?(Mt.test(f[2])&&(i=RegExp("</"+f[2],"g")),r=x):f[3]!==void 0&&(r=x):r===x?f[0]===">"?(r=i??L,h=-1):f[1]===void 0?h=-2:(h=r.lastIndex-f[2].length,p=f[1],r=f[3]===void 0?x:f[3]==='"'?kt:St):r===kt||r===St?r=x:r===xt||r===wt?r=L:(r=x,i=void 0);let b=r===x&&o[c+1].startsWith("/>")?" ":"";a+=r===L?d+Qt:h>=0?(s.push(p),d.slice(0,h)+Et+d.slice(h)+y+b):d+y+(h===-2?c:b)}return[Tt(o,a+(o[e]||"<?>")+(t===2?"</svg>":t===3?"</math>":"")),s]},R=class o{constructor({strings:t,_$litType$:e},s){let i;this.parts=[];let a=0,r=0,c=t.length-1,d=this.parts,[p,f]=Zt(t,e);if(this.el=o.createElement(p,s),w.currentNode=this.el.content,e===2||e===3){let h=this.el.content.firstChild;h.replaceWith(...h.childNodes)}for(;(i=w.nextNode())!==null&&d.length<c;){if(i.nodeType===1){if(i.hasAttributes())for(let h of i.getAttributeNames())if(h.endsWith(Et)){let m=f[r++],b=i.getAttribute(h).split(y),v=/([.?@])?(.*)/.exec(m);d.push({type:1,index:a,name:v[2],strings:b,ctor:v[1]==="."?et:v[1]==="?"?st:v[1]==="@"?it:P}),i.removeAttribute(h)}else h.startsWith(y)&&(d.push({type:6,index:a}),i.removeAttribute(h));if(Mt.test(i.tagName)){let h=i.textContent.split(y),m=h.length-1;if(m>0){i.textContent=W?W.emptyScript:"";for(let b=0;b<m;b++)i.append(h[b],D()),w.nextNode(),d.push({type:2,index:++a});i.append(h[m],D())}}}else if(i.nodeType===8)if(i.data===Ct)d.push({type:2,index:a});else{let h=-1;for(;(h=i.data.indexOf(y,h+1))!==-1;)d.push({type:7,index:a}),h+=y.length-1}a++}}static createElement(t,e){let s=S.createElement("template");return s.innerHTML=t,s}};function T(o,t,e=o,s){if(t===k)return t;let i=s!==void 0?e._$Co?.[s]:e._$Cl,a=U(t)?void 0:t._$litDirective$;return i?.constructor!==a&&(i?._$AO?.(!1),a===void 0?i=void 0:(i=new a(o),i._$AT(o,e,s)),s!==void 0?(e._$Co??=[])[s]=i:e._$Cl=i),i!==void 0&&(t=T(o,i._$AS(o,t.values),i,s)),t}var tt=class{constructor(t,e){this._$AV=[],this._$AN=void 0,this._$AD=t,this._$AM=e}get parentNode(){return this._$AM.parentNode}get _$AU(){return this._$AM._$AU}u(t){let{el:{content:e},parts:s}=this._$AD,i=(t?.creationScope??S).importNode(e,!0);w.currentNode=i;let a=w.nextNode(),r=0,c=0,d=s[0];for(;d!==void 0;){if(r===d.index){let p;d.type===2?p=new H(a,a.nextSibling,this,t):d.type===1?p=new d.ctor(a,d.name,d.strings,this,t):d.type===6&&(p=new at(a,this,t)),this._$AV.push(p),d=s[++c]}r!==d?.index&&(a=w.nextNode(),r++)}return w.currentNode=S,i}p(t){let e=0;for(let s of this._$AV)s!==void 0&&(s.strings!==void 0?(s._$AI(t,s,e),e+=s.strings.length-2):s._$AI(t[e])),e++}},H=class o{get _$AU(){return this._$AM?._$AU??this._$Cv}constructor(t,e,s,i){this.type=2,this._$AH=l,this._$AN=void 0,this._$AA=t,this._$AB=e,this._$AM=s,this.options=i,this._$Cv=i?.isConnected??!0}get parentNode(){let t=this._$AA.parentNode,e=this._$AM;return e!==void 0&&t?.nodeType===11&&(t=e.parentNode),t}get startNode(){return this._$AA}get endNode(){return this._$AB}_$AI(t,e=this){t=T(this,t,e),U(t)?t===l||t==null||t===""?(this._$AH!==l&&this._$AR(),this._$AH=l):t!==this._$AH&&t!==k&&this._(t):t._$litType$!==void 0?this.$(t):t.nodeType!==void 0?this.T(t):Yt(t)?this.k(t):this._(t)}O(t){return this._$AA.parentNode.insertBefore(t,this._$AB)}T(t){this._$AH!==t&&(this._$AR(),this._$AH=this.O(t))}_(t){this._$AH!==l&&U(this._$AH)?this._$AA.nextSibling.data=t:this.T(S.createTextNode(t)),this._$AH=t}$(t){let{values:e,_$litType$:s}=t,i=typeof s=="number"?this._$AC(t):(s.el===void 0&&(s.el=R.createElement(Tt(s.h,s.h[0]),this.options)),s);if(this._$AH?._$AD===i)this._$AH.p(e);else{let a=new tt(i,this),r=a.u(this.options);a.p(e),this.T(r),this._$AH=a}}_$AC(t){let e=At.get(t.strings);return e===void 0&&At.set(t.strings,e=new R(t)),e}k(t){rt(this._$AH)||(this._$AH=[],this._$AR());let e=this._$AH,s,i=0;for(let a of t)i===e.length?e.push(s=new o(this.O(D()),this.O(D()),this,this.options)):s=e[i],s._$AI(a),i++;i<e.length&&(this._$AR(s&&s._$AB.nextSibling,i),e.length=i)}_$AR(t=this._$AA.nextSibling,e){for(this._$AP?.(!1,!0,e);t!==this._$AB;){let s=yt(t).nextSibling;yt(t).remove(),t=s}}setConnected(t){this._$AM===void 0&&(this._$Cv=t,this._$AP?.(t))}},P=class{get tagName(){return this.element.tagName}get _$AU(){return this._$AM._$AU}constructor(t,e,s,i,a){this.type=1,this._$AH=l,this._$AN=void 0,this.element=t,this.name=e,this._$AM=i,this.options=a,s.length>2||s[0]!==""||s[1]!==""?(this._$AH=Array(s.length-1).fill(new String),this.strings=s):this._$AH=l}_$AI(t,e=this,s,i){let a=this.strings,r=!1;if(a===void 0)t=T(this,t,e,0),r=!U(t)||t!==this._$AH&&t!==k,r&&(this._$AH=t);else{let c=t,d,p;for(t=a[0],d=0;d<a.length-1;d++)p=T(this,c[s+d],e,d),p===k&&(p=this._$AH[d]),r||=!U(p)||p!==this._$AH[d],p===l?t=l:t!==l&&(t+=(p??"")+a[d+1]),this._$AH[d]=p}r&&!i&&this.j(t)}j(t){t===l?this.element.removeAttribute(this.name):this.element.setAttribute(this.name,t??"")}},et=class extends P{constructor(){super(...arguments),this.type=3}j(t){this.element[this.name]=t===l?void 0:t}},st=class extends P{constructor(){super(...arguments),this.type=4}j(t){this.element.toggleAttribute(this.name,!!t&&t!==l)}},it=class extends P{constructor(t,e,s,i,a){super(t,e,s,i,a),this.type=5}_$AI(t,e=this){if((t=T(this,t,e,0)??l)===k)return;let s=this._$AH,i=t===l&&s!==l||t.capture!==s.capture||t.once!==s.once||t.passive!==s.passive,a=t!==l&&(s===l||i);i&&this.element.removeEventListener(this.name,this,s),a&&this.element.addEventListener(this.name,this,t),this._$AH=t}handleEvent(t){typeof this._$AH=="function"?this._$AH.call(this.options?.host??this.element,t):this._$AH.handleEvent(t)}},at=class{constructor(t,e,s){this.element=t,this.type=6,this._$AN=void 0,this._$AM=e,this.options=s}get _$AU(){return this._$AM._$AU}_$AI(t){T(this,t)}};var Xt=ot.litHtmlPolyfillSupport;Xt?.(R,H),(ot.litHtmlVersions??=[]).push("3.3.3");var Pt=(o,t,e)=>{let s=e?.renderBefore??t,i=s._$litPart$;if(i===void 0){let a=e?.renderBefore??null;s._$litPart$=i=new H(t.insertBefore(D(),a),a,void 0,e??{})}return i._$AI(o),i};var dt=globalThis,_=class extends ${constructor(){super(...arguments),this.renderOptions={host:this},this._$Do=void 0}createRenderRoot(){let t=super.createRenderRoot();return this.renderOptions.renderBefore??=t.firstChild,t}update(t){let e=this.render();this.hasUpdated||(this.renderOptions.isConnected=this.isConnected),super.update(t),this._$Do=Pt(e,this.renderRoot,this.renderOptions)}connectedCallback(){super.connectedCallback(),this._$Do?.setConnected(!0)}disconnectedCallback(){super.disconnectedCallback(),this._$Do?.setConnected(!1)}render(){return k}};_._$litElement$=!0,_.finalized=!0,dt.litElementHydrateSupport?.({LitElement:_});var te=dt.litElementPolyfillSupport;te?.({LitElement:_});(dt.litElementVersions??=[]).push("4.2.2");var G=class extends Error{constructor(t,e,s=[],i=""){super(e),this.status=t,this.errors=s,this.trackingId=i}};function ee(o){if(!o)return;let t=o.trim();return/^(SharedAccessSignature|Bearer)\s/i.test(t)?t:`SharedAccessSignature ${t}`}function se(o){return(o||"").trim().replace(/^(SharedAccessSignature|Bearer)\s+/i,"")}var A=class{constructor({baseUrl:t="",token:e="",log:s=()=>{}}={}){this.baseUrl=(t||"").replace(/\/+$/,""),this.token=e,this.log=s}url(t,e){let s=this.baseUrl+t;if(e){let i=new URLSearchParams;for(let[r,c]of Object.entries(e))c!=null&&c!==""&&i.set(r,String(c));let a=i.toString();a&&(s+=(s.includes("?")?"&":"?")+a)}return s}async request(t,e,{query:s,body:i,contentType:a="application/json"}={}){let r={Accept:"application/json"},c=ee(this.token);c&&(r.Authorization=c),i!==void 0&&(r["Content-Type"]=a);let d=this.url(e,s);this.log(t,d);let p;try{p=await fetch(d,{method:t,headers:r,body:i===void 0?void 0:JSON.stringify(i)})}catch(m){throw new G(0,ie(d,m))}let f=await p.text(),h=null;try{h=f?JSON.parse(f):null}catch{h=null}if(!p.ok){let m=h&&h.message||`${p.status} ${p.statusText||"error"}`,b=(h&&Array.isArray(h.errors)?h.errors:[]).filter(v=>v&&v!==m);throw new G(p.status,m,b,h&&h.trackingId||"")}return h}get(t,e){return this.request("GET",t,{query:e})}post(t,e){return this.request("POST",t,{body:e})}patch(t,e){return this.request("PATCH",t,{body:e})}stream(t,e={}){let s={...e},i=se(this.token);i&&(s.bearerToken=i);let a=this.url(t,s);return this.log("SSE",a.replace(/bearerToken=[^&]*/,"bearerToken=…")),new EventSource(a)}};function ie(o,t){let e=globalThis.location?.origin,s="";try{s=new URL(o,globalThis.location?.href).origin}catch{s=""}return e&&s&&e!==s?`Cannot reach ${s}: ${t.message}. If it is running, it does not allow this page's origin ${e}: add it to cors.allowOrigins in its configuration (JDS_CORS_ORIGINS).`:`Cannot reach the server: ${t.message}`}var u=encodeURIComponent;function g(o){if(!o)return"";let t=o.errors&&o.errors.length?` (${o.errors.join("; ")})`:"";return`${o.message}${t}`}var It={blue:"#1d6ae5",green:"#1f8a4c",black:"#1f2328",olive:"#6b7a1f",cyan:"#0a8aa8",violet:"#7b4fd6",red:"#d1343b",gray:"#6b7280",orange:"#d9650b",lime:"#5c9a0f",cobalt:"#0047ab",purple:"#8e2db5",yellow:"#b58a00",gold:"#b8860b",mint:"#13a386",slate:"#475569",pink:"#d63384"},Ot="slate",ae={phone:"M22 16.9v3a2 2 0 0 1-2.2 2 19.8 19.8 0 0 1-8.6-3.1 19.5 19.5 0 0 1-6-6A19.8 19.8 0 0 1 2.1 4.2 2 2 0 0 1 4.1 2h3a2 2 0 0 1 2 1.7c.1 1 .4 1.9.7 2.8a2 2 0 0 1-.5 2.1L8 9.9a16 16 0 0 0 6 6l1.3-1.3a2 2 0 0 1 2.1-.4c.9.3 1.8.6 2.8.7a2 2 0 0 1 1.7 2z",sms:"M21 15a2 2 0 0 1-2 2H7l-4 4V5a2 2 0 0 1 2-2h14a2 2 0 0 1 2 2zM8 9h8M8 13h5",email:"M4 4h16a2 2 0 0 1 2 2v12a2 2 0 0 1-2 2H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2zM22 6l-10 7L2 6",chat:"M21 11.5a8.4 8.4 0 0 1-9 8.4 8.5 8.5 0 0 1-3.8-.9L3 21l1.9-5.2A8.4 8.4 0 0 1 12 3a8.5 8.5 0 0 1 9 8.5z",web:"M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zM2 12h20M12 2a15.3 15.3 0 0 1 4 10 15.3 15.3 0 0 1-4 10 15.3 15.3 0 0 1-4-10 15.3 15.3 0 0 1 4-10z",payment:"M3 5h18a1 1 0 0 1 1 1v12a1 1 0 0 1-1 1H3a1 1 0 0 1-1-1V6a1 1 0 0 1 1-1zM2 10h20M6 15h4",login:"M15 3h4a2 2 0 0 1 2 2v14a2 2 0 0 1-2 2h-4M10 17l5-5-5-5M15 12H3",bell:"M18 8a6 6 0 0 0-12 0c0 7-3 9-3 9h18s-3-2-3-9M13.7 21a2 2 0 0 1-3.4 0",home:"M3 10l9-7 9 7v10a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2zM9 22V12h6v10",video:"M23 7l-7 5 7 5V7zM3 5h11a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H3a2 2 0 0 1-2-2V7a2 2 0 0 1 2-2z",user:"M20 21v-2a4 4 0 0 0-4-4H8a4 4 0 0 0-4 4v2M12 3a4 4 0 1 0 0 8 4 4 0 0 0 0-8z",queue:"M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zM12 6v6l4 2",social:"M18 2h-3a5 5 0 0 0-5 5v3H7v4h3v8h4v-8h3l1-4h-4V7a1 1 0 0 1 1-1h3z",agent:"M3 18v-6a9 9 0 0 1 18 0v6M21 19a2 2 0 0 1-2 2h-1a2 2 0 0 1-2-2v-3a2 2 0 0 1 2-2h3zM3 19a2 2 0 0 0 2 2h1a2 2 0 0 0 2-2v-3a2 2 0 0 0-2-2H3z",event:"M12 8a4 4 0 1 0 0 8 4 4 0 0 0 0-8z"},oe={Voice:{icon:"phone",color:"blue"},Call:{icon:"phone",color:"blue"},Telephony:{icon:"phone",color:"blue"},IVR:{icon:"phone",color:"cobalt"},"Queued Caller":{icon:"queue",color:"orange"},"Closed Queue":{icon:"queue",color:"red"},SMS:{icon:"sms",color:"green"},WhatsApp:{icon:"sms",color:"mint"},Email:{icon:"email",color:"violet"},Chat:{icon:"chat",color:"cyan"},Messenger:{icon:"chat",color:"cobalt"},Social:{icon:"social",color:"cobalt"},Web:{icon:"web",color:"cyan"},Website:{icon:"web",color:"cyan"},NewVisit:{icon:"web",color:"cyan"},MortgageRates:{icon:"home",color:"olive"},Payment:{icon:"payment",color:"gold"},"Payment Notify":{icon:"bell",color:"red"},Notification:{icon:"bell",color:"orange"},LoginUser:{icon:"login",color:"purple"},Login:{icon:"login",color:"purple"},Webex:{icon:"agent",color:"black"},Agent:{icon:"agent",color:"black"},Video:{icon:"video",color:"pink"}},Nt={icon:"event",color:Ot};function ct(o,t){let e=String(t??""),s=r=>{if(!r)return;if(r[e])return r[e];let c=e.toLowerCase();for(let d of Object.keys(r))if(d.toLowerCase()===c)return r[d]},i=s(o)||s(oe)||Nt,a=It[String(i.color||"").toLowerCase()]?String(i.color).toLowerCase():Ot;return{icon:i.icon||Nt.icon,color:a,css:It[a]}}function jt(o){let t=ae[o]||(/^[Mm][\d\s.,-]/.test(o)?o:null);return t?lt`<svg viewBox="0 0 24 24" width="16" height="16" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><path d=${t}></path></svg>`:lt`<svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true"><text x="12" y="17" text-anchor="middle" font-size="15">${String(o).slice(0,4)}</text></svg>`}var ht={All:0,"24-Hours":24*36e5,"7-Days":168*36e5,"30-Days":720*36e5},zt=["phone","email","customerId","socialId","temporaryId"],Lt={phone:"Phone",email:"Email",customerId:"Customer ID",socialId:"Social ID",temporaryId:"Temporary ID"};function pt(o){let t=new Date(o);if(isNaN(t))return"unknown";let e=s=>String(s).padStart(2,"0");return`${t.getFullYear()}-${e(t.getMonth()+1)}-${e(t.getDate())}`}function re(o,t=new Date){if(o==="unknown")return"Unknown date";if(o===pt(t))return"Today";if(o===pt(t.getTime()-24*36e5))return"Yesterday";let[e,s,i]=o.split("-").map(Number);return new Intl.DateTimeFormat(void 0,{weekday:"short",year:"numeric",month:"short",day:"numeric"}).format(new Date(e,s-1,i))}function ne(o){let t=new Date(o);return isNaN(t)?"":new Intl.DateTimeFormat(void 0,{hour:"2-digit",minute:"2-digit"}).format(t)}function Dt(o){try{return decodeURIComponent(o||"")}catch{return o||""}}function I(o){return o==null?"":typeof o=="object"?JSON.stringify(o):String(o)}function le(o,t){return(Date.parse(t.time)||0)-(Date.parse(o.time)||0)}var B=class extends _{constructor(){super(),this.customer="",this.templateId="",this.limit=50,this.timeFrame="All",this.liveStream=!1,this.iconDataPath="",this.badgeKeyword="",this.collapseTimelineSection=!1,this.collapseProfileSection=!1,this.collapseAliasSection=!1,this.readOnlyAliases=!1,this.baseUrl="",this.token="",this.workspaceId="default",this.logsOn=!1,this._identity="",this._events=[],this._loading=!1,this._more=!1,this._page=0,this._error=null,this._expanded=new Set,this._hidden=new Set,this._frame="All",this._live="off",this._profile={state:"none"},this._person={state:"none"},this._aliasMsg=null,this._aliasBusy=!1,this._open={timeline:!0,profile:!0,alias:!0},this._iconMap=null,this._fresh=new Set,this._es=null,this._retry=null,this._gen=0}log(...t){this.logsOn&&console.debug("[customer-journey]",...t)}get api(){return new A({baseUrl:this.baseUrl,token:this.token,log:(...t)=>this.log(...t)})}get ws(){return this.workspaceId||"default"}willUpdate(t){t.has("customer")&&(this._identity=(this.customer||"").trim()),t.has("timeFrame")&&(this._frame=ht[this.timeFrame]!==void 0?this.timeFrame:"All"),t.has("collapseTimelineSection")&&(this._open={...this._open,timeline:!this.collapseTimelineSection}),t.has("collapseProfileSection")&&(this._open={...this._open,profile:!this.collapseProfileSection}),t.has("collapseAliasSection")&&(this._open={...this._open,alias:!this.collapseAliasSection})}updated(t){t.has("iconDataPath")&&this.loadIconMap(),["customer","_identity","baseUrl","token","workspaceId","limit","templateId"].some(s=>t.has(s))?this.reload():t.has("liveStream")&&this.connect()}disconnectedCallback(){super.disconnectedCallback(),this.disconnect()}connectedCallback(){super.connectedCallback(),this.hasUpdated&&this._identity&&this.reload()}async loadIconMap(){if(!this.iconDataPath){this._iconMap=null;return}try{let t=await fetch(this.iconDataPath);if(!t.ok)throw new Error(`${t.status} ${t.statusText}`);this._iconMap=await t.json(),this.log("icon map",this._iconMap)}catch(t){this._iconMap=null,this._error={message:`Icon map ${this.iconDataPath} could not be loaded: ${t.message}`}}}reload(){let t=++this._gen;if(this.disconnect(),this._events=[],this._expanded=new Set,this._fresh=new Set,this._error=null,this._page=0,this._more=!1,this._aliasMsg=null,this._lastLiveId=null,!this._identity){this._profile={state:"none"},this._person={state:"none"};return}this.loadEvents(t,0),this.loadProfile(t),this.loadPerson(t),this.connect()}async loadEvents(t,e){this._loading=!0;let s=Math.min(Math.max(parseInt(this.limit,10)||50,1),1e3);try{let i=await this.api.get(`/v1/api/events/workspace-id/${u(this.ws)}`,{identity:this._identity,pageSize:s,page:e});if(t!==this._gen)return;let a=Array.isArray(i?.data)?i.data:[];this.merge(a),this._page=e,this._more=a.length===s,this.dispatchEvent(new CustomEvent("journey-loaded",{detail:{identity:this._identity,count:this._events.length},bubbles:!0,composed:!0}))}catch(i){if(t!==this._gen)return;this._error=i,this.dispatchEvent(new CustomEvent("journey-error",{detail:{message:g(i)},bubbles:!0,composed:!0}))}finally{t===this._gen&&(this._loading=!1)}}merge(t,e=!1){let s=new Set(this._events.map(a=>a.id)),i=t.filter(a=>a&&a.id&&!s.has(a.id));i.length&&(e&&(this._fresh=new Set([...this._fresh,...i.map(a=>a.id)])),this._events=[...this._events,...i].sort(le))}async loadProfile(t){let e=(this.templateId||"").trim();if(!e){this._profile={state:"none"};return}this._profile={state:"loading"};let s=`/v1/api/progressive-profile-view/workspace-id/${u(this.ws)}/identity/${u(this._identity)}`,i=/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(e);try{let a=await this.api.get(`${s}/${i?"template-id":"template-name"}/${u(e)}`);if(t!==this._gen)return;let r=Array.isArray(a?.data)?a.data[0]:a?.data;this._profile=r&&Array.isArray(r.attributes)&&r.attributes.length?{state:"ok",view:r}:{state:"empty"}}catch(a){if(t!==this._gen)return;this._profile=a.status===404?{state:"empty"}:{state:"error",error:a}}}async loadPerson(t){this._person={state:"loading"};try{let e=await this.api.get(`/admin/v1/api/person/workspace-id/${u(this.ws)}/aliases/${u(this._identity)}`);if(t!==this._gen)return;let s=Array.isArray(e?.data)?e.data[0]:null;this._person=s?{state:"ok",person:s}:{state:"empty"}}catch(e){if(t!==this._gen)return;this._person=e.status===404?{state:"empty"}:{state:"error",error:e}}}connect(){if(this.disconnect(),!this.liveStream||!this._identity||typeof EventSource>"u")return;let t=this._gen,e=this._lastLiveId||(this._events.length?this._events[0].id:""),s=this.api.stream(`/v1/api/events/stream/workspace-id/${u(this.ws)}/identity/${u(this._identity)}`,e?{lastEventId:e}:{});this._es=s,this._live="connecting",s.onopen=()=>{this._es===s&&(this._live="on")},s.addEventListener("event",i=>{if(this._es!==s||t!==this._gen)return;let a;try{a=JSON.parse(i.data)}catch{return}this._lastLiveId=i.lastEventId||a.id,this.log("live event",a),this.merge([a],!0),this.dispatchEvent(new CustomEvent("journey-event",{detail:a,bubbles:!0,composed:!0}))}),s.onerror=()=>{this._es===s&&(s.readyState===EventSource.CLOSED?(this._live="off",clearTimeout(this._retry),this._retry=setTimeout(()=>{this._es===s&&t===this._gen&&this.connect()},5e3)):this._live="connecting")}}disconnect(){clearTimeout(this._retry),this._es&&(this._es.close(),this._es=null),this._live="off"}async addAlias(t){t.preventDefault();let e=t.target,s=e.kind.value,i=e.value.value.trim();!i||this._person.state!=="ok"||(await this.changeAliases(`/admin/v1/api/person/add-identities/workspace-id/${u(this.ws)}/person-id/${u(this._person.person.id)}`,{[s]:[i]},`Added ${i}`),this._aliasMsg?.ok&&(e.value.value=""))}removeAlias(t){return this.changeAliases(`/admin/v1/api/person/remove-identities/workspace-id/${u(this.ws)}/person-id/${u(this._person.person.id)}`,[t],`Removed ${t}`)}async changeAliases(t,e,s){this._aliasBusy=!0,this._aliasMsg=null;try{let i=await this.api.patch(t,e);i?.data&&(this._person={state:"ok",person:i.data}),this._aliasMsg={ok:!0,text:s}}catch(i){this._aliasMsg={ok:!1,text:g(i)}}finally{this._aliasBusy=!1}}search(t){t.preventDefault();let e=t.target.identity.value.trim();e&&(this._identity=e)}clearSearch(){this._identity=""}toggle(t){let e=new Set(this._expanded);e.has(t)?e.delete(t):e.add(t),this._expanded=e}toggleType(t){let e=new Set(this._hidden);e.has(t)?e.delete(t):e.add(t),this._hidden=e}toggleSection(t){this._open={...this._open,[t]:!this._open[t]}}get visible(){let t=ht[this._frame]||0,e=t?Date.now()-t:-1/0;return this._events.filter(s=>!this._hidden.has(this.typeOf(s))&&(!t||(Date.parse(s.time)||0)>=e))}typeOf(t){return String(t?.data?.channelType??"")||"Other"}render(){return n`<section class="cjw" aria-label="Customer journey">
      <header class="top">
        <div class="title">
          <h2>Customer Journey</h2>
          ${this._identity?n`<span class="who" title=${this._identity}>${this._identity}</span>`:l}
        </div>
        <div class="tools">
          ${this.liveStream&&this._identity?n`<span class="live ${this._live}" role="status" aria-label=${`Live updates: ${this._live==="on"?"connected":this._live==="connecting"?"connecting":"off"}`}
                ><span class="dot" aria-hidden="true"></span>${this._live==="on"?"Live":this._live==="connecting"?"Connecting":"Offline"}</span
              >`:l}
          ${this._identity?n`<button class="icon-btn" @click=${()=>this.reload()} aria-label="Refresh journey" title="Refresh">
                <svg viewBox="0 0 24 24" width="16" height="16" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" aria-hidden="true"><path d="M21 12a9 9 0 1 1-3-6.7L21 8M21 3v5h-5"></path></svg>
              </button>`:l}
          ${this._identity&&!this.customer?n`<button class="icon-btn" @click=${this.clearSearch} aria-label="Search another customer" title="Search another customer">
                <svg viewBox="0 0 24 24" width="16" height="16" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" aria-hidden="true"><path d="M11 4a7 7 0 1 0 0 14 7 7 0 0 0 0-14zM21 21l-5-5"></path></svg>
              </button>`:l}
        </div>
      </header>
      ${this._identity?l:this.renderSearch()}
      ${this._error?n`<div class="error" role="alert">${g(this._error)}</div>`:l}
      ${this._identity?n`${this.renderProfile()} ${this.renderAliases()} ${this.renderTimeline()}`:l}
    </section>`}renderSearch(){return n`<form class="search" role="search" @submit=${this.search}>
      <label for="q">Customer identity</label>
      <div class="row">
        <input id="q" name="identity" type="search" placeholder="Phone, email or customer ID" autocomplete="off" required />
        <button type="submit" class="primary">Look up</button>
      </div>
    </form>`}sectionHead(t,e,s=l){let i=this._open[t];return n`<h3 class="sec-head">
      <button class="sec-toggle" aria-expanded=${i?"true":"false"} aria-controls=${`sec-${t}`} @click=${()=>this.toggleSection(t)}>
        <svg class="chev ${i?"open":""}" viewBox="0 0 24 24" width="14" height="14" fill="none" stroke="currentColor" stroke-width="2.5" aria-hidden="true"><path d="M9 6l6 6-6 6"></path></svg>
        ${e}
      </button>
      ${s}
    </h3>`}renderProfile(){let t=this._profile;if(!this.templateId)return l;let e;t.state==="loading"?e=n`<p class="muted">Loading profile…</p>`:t.state==="error"?e=n`<p class="error" role="alert">${g(t.error)}</p>`:t.state==="ok"?e=n`<table class="kv" aria-label="Profile attributes">
        <tbody>
          ${t.view.attributes.map(i=>n`<tr>
              <th scope="row">${i.displayName||i.name}</th>
              <td>${i.error?n`<span class="bad">${I(i.error)}</span>`:I(i.result??i.value)}</td>
            </tr>`)}
        </tbody>
      </table>`:e=n`<p class="muted">No profile</p>`;let s=t.state==="ok"&&t.view.templateName?`Profile · ${t.view.templateName}`:"Profile";return n`<div class="section" part="profile">
      ${this.sectionHead("profile",s)}
      <div id="sec-profile" ?hidden=${!this._open.profile}>${e}</div>
    </div>`}renderAliases(){let t=this._person,e;if(t.state==="loading")e=n`<p class="muted">Loading aliases…</p>`;else if(t.state==="error")e=n`<p class="error" role="alert">${g(t.error)}</p>`;else if(t.state==="empty")e=n`<p class="muted">No person owns this identity yet.</p>`;else if(t.state==="ok"){let s=t.person,i=this.readOnlyAliases,a=zt.filter(r=>(s[r]||[]).length);e=n`
        ${s.firstName||s.lastName?n`<p class="name">${[s.firstName,s.lastName].filter(Boolean).join(" ")}</p>`:l}
        <ul class="aliases" aria-label="Aliases">
          ${a.map(r=>s[r].map(c=>n`<li class="alias" data-kind=${r}>
                <span class="kind">${Lt[r]}</span><span class="val" title=${c}>${c}</span>
                ${i?l:n`<button class="icon-btn small" ?disabled=${this._aliasBusy} aria-label=${`Remove alias ${c}`} title="Remove" @click=${()=>this.removeAlias(c)}>
                      <svg viewBox="0 0 24 24" width="12" height="12" fill="none" stroke="currentColor" stroke-width="2.5" stroke-linecap="round" aria-hidden="true"><path d="M6 6l12 12M18 6L6 18"></path></svg>
                    </button>`}
              </li>`))}
        </ul>
        ${i?l:n`<form class="add-alias" @submit=${this.addAlias} aria-label="Add alias">
              <select name="kind" aria-label="Alias kind">
                ${zt.map(r=>n`<option value=${r} ?selected=${r==="email"}>${Lt[r]}</option>`)}
              </select>
              <input name="value" aria-label="Alias value" placeholder="New alias" required />
              <button type="submit" ?disabled=${this._aliasBusy}>Add</button>
            </form>`}
        ${this._aliasMsg?n`<p class=${this._aliasMsg.ok?"ok":"error"} role=${this._aliasMsg.ok?"status":"alert"}>${this._aliasMsg.text}</p>`:l}
      `}return n`<div class="section" part="aliases">
      ${this.sectionHead("alias","Aliases")}
      <div id="sec-alias" ?hidden=${!this._open.alias}>${e??l}</div>
    </div>`}renderTimeline(){let t=[...new Set(this._events.map(a=>this.typeOf(a)))].sort((a,r)=>a.localeCompare(r)),e=this.visible,s=[];for(let a of e){let r=pt(a.time);(!s.length||s[s.length-1].key!==r)&&s.push({key:r,items:[]}),s[s.length-1].items.push(a)}let i=n`<span class="count" aria-live="polite">${e.length===this._events.length?`${e.length}`:`${e.length} of ${this._events.length}`}</span>`;return n`<div class="section" part="timeline">
      ${this.sectionHead("timeline","Timeline",i)}
      <div id="sec-timeline" ?hidden=${!this._open.timeline}>
        <div class="filters">
          <label class="frame"
            ><span>Time frame</span>
            <select aria-label="Time frame" @change=${a=>this._frame=a.target.value}>
              ${Object.keys(ht).map(a=>n`<option value=${a} ?selected=${a===this._frame}>${a==="All"?"All time":a.replace("-"," ")}</option>`)}
            </select></label
          >
          ${t.length>1?n`<div class="chips" role="group" aria-label="Filter by channel type">
                ${t.map(a=>{let r=!this._hidden.has(a),c=ct(this._iconMap,a);return n`<button class="chip ${r?"on":""}" aria-pressed=${r?"true":"false"} data-type=${a} style=${`--c:${c.css}`} @click=${()=>this.toggleType(a)}>
                    <span class="sw" aria-hidden="true"></span>${a}
                  </button>`})}
              </div>`:l}
        </div>
        ${this._loading&&!this._events.length?n`<p class="muted">Loading events…</p>`:l}
        ${!this._loading&&!this._error&&!this._events.length?n`<p class="muted empty">No events for this customer yet.</p>`:l}
        ${this._events.length&&!e.length?n`<p class="muted empty">No events match the filters.</p>`:l}
        ${s.map(a=>n`<div class="day" data-day=${a.key}>
            <h4 class="day-head">${re(a.key)}</h4>
            <ol class="events">
              ${a.items.map(r=>this.renderEvent(r))}
            </ol>
          </div>`)}
        ${this._more?n`<button class="more" ?disabled=${this._loading} @click=${()=>this.loadEvents(this._gen,this._page+1)}>${this._loading?"Loading…":"Load older events"}</button>`:l}
      </div>
    </div>`}renderEvent(t){let e=t.data&&typeof t.data=="object"?t.data:{},s=this.typeOf(t),i=ct(this._iconMap,e.channelType),a=this._expanded.has(t.id),r=I(e.origin)||t.type,c=this.badgeKeyword?I(e[this.badgeKeyword]):I(e.channelType),d=`ev-${t.id}`.replace(/[^A-Za-z0-9_-]/g,"_");return n`<li class="event ${this._fresh.has(t.id)?"fresh":""}" data-id=${t.id} data-type=${s} data-color=${i.color}>
      <button class="ev-head" aria-expanded=${a?"true":"false"} aria-controls=${d} @click=${()=>this.toggle(t.id)}>
        <span class="ic" style=${`--c:${i.css}`} data-icon=${i.icon}>${jt(i.icon)}</span>
        <span class="ev-main">
          <span class="ev-title">${r}</span>
          <span class="ev-sub">${t.type}${t.source?n` · ${Dt(t.source)}`:l}</span>
        </span>
        <span class="ev-side">
          <time datetime=${t.time}>${ne(t.time)}</time>
          ${c?n`<span class="badge" style=${`--c:${i.css}`}>${c}</span>`:l}
        </span>
      </button>
      ${a?n`<div class="ev-body" id=${d}>
            <table class="kv" aria-label=${`Details of ${r}`}>
              <tbody>
                ${Object.entries(e).map(([p,f])=>n`<tr><th scope="row">${p}</th><td>${I(f)}</td></tr>`)}
                <tr class="meta"><th scope="row">type</th><td>${t.type}</td></tr>
                <tr class="meta"><th scope="row">source</th><td>${Dt(t.source)}</td></tr>
                <tr class="meta"><th scope="row">identity</th><td>${t.identity} (${t.identitytype})</td></tr>
                ${t.previousidentity?n`<tr class="meta"><th scope="row">previous identity</th><td>${t.previousidentity}</td></tr>`:l}
                <tr class="meta"><th scope="row">time</th><td>${t.time?new Date(t.time).toLocaleString():""}</td></tr>
                <tr class="meta"><th scope="row">id</th><td>${t.id}</td></tr>
              </tbody>
            </table>
          </div>`:l}
    </li>`}};M(B,"properties",{customer:{type:String},templateId:{type:String,attribute:"template-id"},limit:{type:Number},timeFrame:{type:String,attribute:"time-frame"},liveStream:{type:Boolean,attribute:"live-stream"},iconDataPath:{type:String,attribute:"icon-data-path"},badgeKeyword:{type:String,attribute:"badge-keyword"},collapseTimelineSection:{type:Boolean,attribute:"collapse-timeline-section"},collapseProfileSection:{type:Boolean,attribute:"collapse-profile-section"},collapseAliasSection:{type:Boolean,attribute:"collapse-alias-section"},readOnlyAliases:{type:Boolean,attribute:"read-only-aliases"},baseUrl:{type:String,attribute:"base-url"},token:{type:String},workspaceId:{type:String,attribute:"workspace-id"},logsOn:{type:Boolean,attribute:"logs-on"},_identity:{state:!0},_events:{state:!0},_loading:{state:!0},_more:{state:!0},_error:{state:!0},_expanded:{state:!0},_hidden:{state:!0},_frame:{state:!0},_live:{state:!0},_profile:{state:!0},_person:{state:!0},_aliasMsg:{state:!0},_aliasBusy:{state:!0},_open:{state:!0},_iconMap:{state:!0},_fresh:{state:!0}}),M(B,"styles",j`
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
  `);customElements.get("customer-journey-widget")||customElements.define("customer-journey-widget",B);var E={token:"jds.token",ws:"jds.workspace",template:"jds.template"},q={templates:{title:"Profile templates",path:o=>`/admin/v1/api/profile-view-template/workspace-id/${u(o)}`},actions:{title:"Journey actions",path:o=>`/admin/v1/api/journey-actions/workspace-id/${u(o)}`},flows:{title:"IVR flows",path:o=>`/admin/v1/api/flows/workspace-id/${u(o)}`},deliveries:{title:"Deliveries",path:o=>`/admin/v1/api/journey-actions/workspace-id/${u(o)}/history`},deadletters:{title:"Dead letters",path:o=>`/admin/v1/api/journey-actions/workspace-id/${u(o)}/dead-letters`},jobs:{title:"Scheduled jobs",path:()=>"/admin/v1/api/jobs"}},ut={templates:{path:"/admin/v1/api/rules",what:"Rule files"},flows:{path:"/admin/v1/api/flows",what:"Flow files"}},Ut=[["persons","Persons"],["tail","Live tail"],["templates","Templates"],["actions","Actions"],["flows","Flows"],["deliveries","Deliveries"],["deadletters","Dead letters"],["jobs","Jobs"]];function C(o,t){try{if(t===void 0)return sessionStorage.getItem(o)||"";t===null?sessionStorage.removeItem(o):sessionStorage.setItem(o,t)}catch{return""}return t}function N(o){let t=new Date(o);return isNaN(t)?"":t.toLocaleString(void 0,{dateStyle:"medium",timeStyle:"short"})}var F=class extends _{constructor(){super(),this._token=C(E.token),this._ws=C(E.ws)||"default",this._template=C(E.template),this._view="persons",this._persons=null,this._page=0,this._pageSize=20,this._found=null,this._identity="",this._tail=[],this._tailId="",this._tailState="off",this._section=null,this._onHash=()=>this.route()}get api(){return new A({token:this._token})}connectedCallback(){super.connectedCallback(),window.addEventListener("hashchange",this._onHash),this.route()}disconnectedCallback(){super.disconnectedCallback(),window.removeEventListener("hashchange",this._onHash),this.stopTail()}route(){let t=(location.hash||"").replace(/^#\/?/,"");this._view=Ut.some(([e])=>e===t)?t:"persons",this._token&&(this._view==="persons"&&!this._persons&&this.loadPersons(0),q[this._view]&&this.loadSection(this._view))}async signIn(t){t.preventDefault();let e=t.target,s=e.token.value.trim().replace(/^export\s+JDS_TOKEN=/,"").replace(/^['"]|['"]$/g,""),i=e.ws.value.trim()||"default";this._signing=!0,this._signError=null;try{await new A({token:s}).get(`/admin/v1/api/person/workspace-id/${u(i)}`,{page:0,pageSize:1}),this._token=C(E.token,s),this._ws=C(E.ws,i),this._persons=null,this.route()}catch(a){this._signError=g(a)}finally{this._signing=!1}}signOut(){C(E.token,null),this.stopTail(),this._token="",this._persons=null,this._found=null,this._identity=""}async loadPersons(t){this._personsError=null;try{let e=await this.api.get(`/admin/v1/api/person/workspace-id/${u(this._ws)}`,{page:t,pageSize:this._pageSize});this._persons=e?.data||[],this._page=t}catch(e){this._persons=[],this._personsError=g(e)}}async find(t){t.preventDefault();let e=t.target.q.value.trim();if(e){this._findError=null,this._found=null,this._identity=e;try{let s=await this.api.get(`/admin/v1/api/person/workspace-id/${u(this._ws)}/aliases/${u(e)}`);this._found=s?.data||[]}catch(s){this._found=[],this._findError=s.status===404?`No person owns “${e}”. Showing its journey anyway: events may arrive later.`:g(s)}}}open(t){this._identity=t.aliases&&t.aliases[0]||"",this._found=[t],this._findError=null,this.updateComplete.then(()=>this.renderRoot.querySelector("customer-journey-widget")?.scrollIntoView({block:"start"}))}setTemplate(t){this._template=C(E.template,t.target.value.trim())}startTail(t){t.preventDefault();let e=t.target.identity.value.trim();if(!e)return;this.stopTail(),this._tailId=e,this._tail=[],this._tailState="connecting";let s=this.api.stream(`/v1/api/events/stream/workspace-id/${u(this._ws)}/identity/${u(e)}`);this._es=s,s.onopen=()=>this._tailState="on",s.onerror=()=>this._tailState=s.readyState===EventSource.CLOSED?"closed":"connecting",s.addEventListener("event",i=>{try{let a=JSON.parse(i.data);this._tail=[a,...this._tail].slice(0,200)}catch{}})}stopTail(){this._es&&this._es.close(),this._es=null,this._tailState="off"}async loadSection(t){this._section={name:t,state:"loading"};try{let e=await this.api.get(q[t].path(this._ws));if(this._view!==t)return;let s=ut[t]?await this.api.get(ut[t].path).catch(()=>null):null;if(this._view!==t)return;this._section={name:t,state:"ok",data:e?.data,rules:s?.data}}catch(e){if(this._view!==t)return;this._section=e.status===404?{name:t,state:"missing"}:{name:t,state:"error",error:g(e)}}}render(){return this._token?n`<div class="app">
      <header class="bar">
        <span class="brand"><span class="logo" aria-hidden="true">J</span>jds <span class="sub">console</span></span>
        <span class="spacer"></span>
        <span class="ws" title="Workspace">Workspace <b>${this._ws}</b></span>
        <button class="ghost" @click=${this.signOut}>Sign out</button>
      </header>
      <nav aria-label="Sections">
        ${Ut.map(([t,e])=>n`<a href=${`#/${t}`} aria-current=${this._view===t?"page":"false"}>${e}</a>`)}
      </nav>
      <main>${this.renderView()}</main>
    </div>`:this.renderSignIn()}renderSignIn(){return n`<main class="signin">
      <form class="card" @submit=${this.signIn} aria-labelledby="signin-title">
        <h1 id="signin-title"><span class="logo" aria-hidden="true">J</span> Sign in to jds</h1>
        <p class="muted">Paste a SharedAccessSignature token (jds prints an admin token when it starts; <code>jds token</code> mints others). It is kept in this browser tab only.</p>
        <label for="token">Token</label>
        <textarea id="token" name="token" rows="4" required spellcheck="false" placeholder="SharedAccessSignature so=…&amp;sn=…&amp;sig=…"></textarea>
        <label for="ws">Workspace</label>
        <input id="ws" name="ws" .value=${this._ws||"default"} autocomplete="off" />
        ${this._signError?n`<p class="error" role="alert">${this._signError}</p>`:l}
        <button class="primary" type="submit" ?disabled=${this._signing}>${this._signing?"Signing in…":"Sign in"}</button>
      </form>
    </main>`}renderView(){return this._view==="tail"?this.renderTail():q[this._view]?this.renderSection(this._view):this.renderPersons()}renderPersons(){let t=this._persons;return n`<h1>Persons</h1>
      <form class="find" role="search" @submit=${this.find}>
        <label for="q">Find by alias</label>
        <div class="row">
          <input id="q" name="q" type="search" placeholder="+12263762555, bob@example.com, customer ID…" autocomplete="off" required />
          <button class="primary" type="submit">Find</button>
        </div>
      </form>
      ${this._identity?n`<section class="journey" aria-label="Selected customer">
            ${this._findError?n`<p class="note" role="status">${this._findError}</p>`:l}
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
        ${this._personsError?n`<p class="error" role="alert">${this._personsError}</p>`:l}
        ${t===null?n`<p class="muted">Loading…</p>`:t.length?n`<table class="list">
                <thead>
                  <tr><th>Name</th><th>Aliases</th><th class="wide">Updated</th></tr>
                </thead>
                <tbody>
                  ${t.map(e=>n`<tr>
                      <td><button class="link" @click=${()=>this.open(e)} aria-label=${`Open ${e.aliases?.[0]||e.id}`}>${[e.firstName,e.lastName].filter(Boolean).join(" ")||"Unnamed"}</button></td>
                      <td class="mono">${(e.aliases||[]).join(", ")}</td>
                      <td class="wide">${N(e.updatedAt)}</td>
                    </tr>`)}
                </tbody>
              </table>`:n`<p class="muted">No persons on this page.</p>`}
        <div class="pager">
          <button ?disabled=${this._page===0} @click=${()=>this.loadPersons(this._page-1)}>Previous</button>
          <span>Page ${this._page+1}</span>
          <button ?disabled=${!t||t.length<this._pageSize} @click=${()=>this.loadPersons(this._page+1)}>Next</button>
        </div>
      </section>`}renderPersonCard(t){let e=[t.firstName,t.lastName].filter(Boolean).join(" ")||"Unnamed person";return n`<div class="person">
      <div><b>${e}</b> <span class="muted mono">${t.id}</span></div>
      <div class="muted">Created ${N(t.createdAt)} · updated ${N(t.updatedAt)}${t.merges?.length?` · ${t.merges.length} merge(s)`:""}</div>
    </div>`}renderTail(){let t={off:"Stopped",connecting:"Connecting…",on:"Listening",closed:"Closed by the server"}[this._tailState];return n`<h1>Live tail</h1>
      <form class="find" @submit=${this.startTail}>
        <label for="tail-id">Identity</label>
        <div class="row">
          <input id="tail-id" name="identity" .value=${this._tailId} placeholder="+12263762555" autocomplete="off" required />
          <button class="primary" type="submit">Start</button>
          <button type="button" @click=${this.stopTail} ?disabled=${this._tailState==="off"}>Stop</button>
        </div>
      </form>
      <p class="status ${this._tailState}" role="status">${t}${this._tailId&&this._tailState!=="off"?n` · ${this._tailId}`:l}</p>
      ${this._tail.length?n`<table class="list tail" aria-label="Incoming events">
            <thead>
              <tr><th>Time</th><th>Type</th><th>Origin</th><th class="wide">Channel</th><th class="wide">Identity</th></tr>
            </thead>
            <tbody>
              ${this._tail.map(e=>n`<tr data-id=${e.id}>
                  <td>${N(e.time)}</td>
                  <td>${e.type}</td>
                  <td>${e.data?.origin??""}</td>
                  <td class="wide">${e.data?.channelType??""}</td>
                  <td class="wide mono">${e.identity}</td>
                </tr>`)}
            </tbody>
          </table>`:n`<p class="muted">Events posted for this identity appear here as they arrive.</p>`}`}renderSection(t){let e=this._section&&this._section.name===t?this._section:{state:"loading"},s;if(e.state==="loading")s=n`<p class="muted">Loading…</p>`;else if(e.state==="missing")s=n`<p class="note" role="status">Not available on this server.</p>`;else if(e.state==="error")s=n`<p class="error" role="alert">${e.error}</p>`;else if(t==="jobs")s=this.renderJobs(e.data||[]);else if(t==="deliveries"||t==="deadletters")s=this.renderDeliveries(e.data||[],t==="deadletters");else{let i=Array.isArray(e.data)?e.data:e.data?[e.data]:[];s=i.length?n`<table class="list">
            <thead>
              <tr><th>Name</th><th>Id</th><th>Source</th><th class="wide">Details</th></tr>
            </thead>
            <tbody>
              ${i.map(a=>n`<tr>
                  <td>${a.name??a.actionName??""}</td>
                  <td class="mono">${a.id??a.templateId??a.actionId??""}</td>
                  <td class="mono">${a.source??""}${a.readOnly?" (read-only)":""}</td>
                  <td class="wide"><code class="json">${JSON.stringify(a).slice(0,300)}</code></td>
                </tr>`)}
            </tbody>
          </table>`:n`<p class="muted">Nothing here yet.</p>`}return n`<h1>${q[t].title}</h1>
      <p class="muted mono">GET ${q[t].path(this._ws)}</p>
      ${e.rules?this.renderFileStatus(e.rules,ut[t].what):""} ${s}`}renderJobs(t){let e=s=>s?N(s):"—";return n`<div class="scroll-x"><table class="list" aria-label="Scheduled jobs">
      <thead>
        <tr><th>Job</th><th>Schedule</th><th>Last run</th><th>Took</th><th>Result</th><th>Next run</th><th></th></tr>
      </thead>
      <tbody>
        ${t.map(s=>n`<tr>
            <td class="mono nowrap">${s.name}</td>
            <td class="mono nowrap">${s.schedule}</td>
            <td>${e(s.lastStart)}</td>
            <td>${s.lastStart?`${s.lastDurationSeconds.toFixed(3)} s`:""}</td>
            <td>${s.running?"running":s.lastError?n`<span class="error">${s.lastError}</span>`:s.lastStart?"ok":""}</td>
            <td>${e(s.nextRun)}</td>
            <td><button ?disabled=${s.running} @click=${()=>this.runJob(s.name)}>Run now</button></td>
          </tr>`)}
      </tbody>
    </table></div>`}renderDeliveries(t,e){if(!t.length)return n`<p class="muted">${e?"No dead letters.":"Nothing queued yet."}</p>`;let s=i=>i&&!i.startsWith("0001-")?n`<time datetime=${i} title=${i}>${N(i)}</time>`:"—";return n`<div class="scroll-x"><table class="list deliveries" aria-label=${e?"Dead letters":"Deliveries"}>
      <thead>
        <tr>
          <th>State</th><th>Action</th><th>Connector</th><th>Person</th><th>Created</th><th>Due</th><th>Last attempt</th><th>Attempts</th>
          <th>${e?"Reason":"Last result"}</th>
        </tr>
      </thead>
      <tbody>
        ${t.map(i=>{let a=i.payload||{},r=a.connector||"inline webhook";return n`<tr data-id=${i.id} data-state=${i.state}>
            <td><span class="state ${i.state}">${i.state}</span></td>
            <td>${a.action||a.actionId||""}</td>
            <td class="mono nowrap" title=${a.url||""}>${r}</td>
            <td><span class="mono">${a.aliases?.[0]||""}</span><div class="muted mono small" title="Person id">${i.personId}</div></td>
            <td>${s(i.createdAt)}</td>
            <td>${s(i.due)}</td>
            <td>${i.attempts?s(i.updatedAt):"—"}</td>
            <td>${i.attempts}</td>
            <td>
              ${i.lastError?n`<span class="bad">${i.lastError}</span>`:""}
              ${i.response?n`<div class="muted mono small" title="The partner's answer">${i.response}</div>`:""}
            </td>
          </tr>`})}
      </tbody>
    </table></div>`}async runJob(t){try{await this.api.post(`/admin/v1/api/jobs/${u(t)}/run`)}catch(e){if(e.status!==409){this._section={name:"jobs",state:"error",error:g(e)};return}}for(let e=0;e<10;e++){await this.loadSection("jobs");let s=(this._section?.data||[]).find(i=>i.name===t);if(this._view!=="jobs"||!s||!s.running)return;await new Promise(i=>setTimeout(i,300))}}renderFileStatus(t,e){return t.ok?n`<p class="note" role="status">
        ${e} in <span class="mono">${t.dir}</span>: ${t.files.length} loaded${t.loadedAt?n` at ${t.loadedAt}`:""}.
      </p>`:n`<div class="error" role="alert" aria-label="${e.slice(0,-1)} errors">
      <p>${e} in <span class="mono">${t.dir}</span> have errors; the previous set stays in force:</p>
      <ul>
        ${t.errors.map(s=>n`<li class="mono">${s}</li>`)}
      </ul>
    </div>`}};M(F,"properties",{_token:{state:!0},_ws:{state:!0},_view:{state:!0},_signError:{state:!0},_signing:{state:!0},_persons:{state:!0},_page:{state:!0},_personsError:{state:!0},_found:{state:!0},_findError:{state:!0},_identity:{state:!0},_template:{state:!0},_tail:{state:!0},_tailId:{state:!0},_tailState:{state:!0},_section:{state:!0}}),M(F,"styles",j`
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
  `);customElements.define("jds-console",F);export{F as JdsConsole,q as SECTIONS};
